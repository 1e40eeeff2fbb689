/**
 * Downloading one file over HTTP(S) into place: resumed from what an earlier attempt left (`<file>.part`, asked for
 * with a Range request), retried with growing pauses when the network fails or the server errs (5xx), and renamed
 * to its name only when complete, so a file on disk under its own name is whole.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import pRetry from 'p-retry';
import { errorMessage } from '../errors.js';

export interface DownloadProgress {
  /** Bytes of this file on disk so far (resumed bytes included). */
  bytes: number;
  /** Its size when the server says it, else null. */
  total: number | null;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts in all (first included); default 4. */
  attempts?: number;
  /** Pause before the second attempt, doubled each time; default 500 ms. */
  backoffMs?: number;
}

/** A failure retrying cannot mend: the server answered, with something other than the file (e.g. 404). */
export class DownloadRefused extends Error {}

async function attempt(url: string, part: string, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const response = await fetch(url, have > 0 ? { headers: { Range: `bytes=${have}-` } } : {});
  if (response.status === 416 && have > 0) {
    // asked past the end: what we have is the whole file (or junk); start again to be sure
    unlinkSync(part);
    throw new Error('the server refused to resume (416); starting again');
  }
  if (!response.ok) {
    const why = `HTTP ${response.status} ${response.statusText}`.trim();
    if (response.status >= 400 && response.status < 500) throw new DownloadRefused(why);
    throw new Error(why);
  }
  const resumed = response.status === 206;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const start = resumed ? have : 0;
  const total = Number.isFinite(length) ? start + length : null;
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let bytes = start;
  try {
    if (!response.body) throw new Error('empty response');
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      bytes += chunk.byteLength;
      onProgress?.({ bytes, total });
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  if (total !== null && bytes !== total) throw new Error(`the connection ended after ${bytes} of ${total} bytes`);
}

/**
 * Downloads `url` to `file` (its folder created), resuming `<file>.part`. Throws after the last attempt with the
 * last reason; a DownloadRefused (4xx) at once.
 */
export async function downloadFile(url: string, file: string, options: DownloadOptions = {}): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const part = `${file}.part`;
  const attempts = options.attempts ?? 4;
  try {
    await pRetry(() => attempt(url, part, options.onProgress), {
      retries: attempts - 1,
      minTimeout: options.backoffMs ?? 500,
      factor: 2,
      randomize: false,
      shouldRetry: (error) => !(error instanceof DownloadRefused),
    });
  } catch (error) {
    const tried = (error as { attemptNumber?: number }).attemptNumber ?? 1;
    throw new Error(`${url}: ${errorMessage(error)}${tried > 1 ? ` (after ${tried} attempts)` : ''}`, { cause: error });
  }
  renameSync(part, file);
}
