import { createReadStream, existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/**
 * A local stand-in for the catalogue's model host: serves `root` as the host lays out its files, honours Range
 * requests (206), and can misbehave on purpose: `cutAfter` ends the first response of each file after that many bytes
 * (the client must resume), `failFirst` answers the first N requests of each file with 503 (the client must retry),
 * `bytesPerSecond` sends weight files no faster than that (16 KiB at a time), as a slow network would, so a download
 * lasts long enough to be watched.
 */
export interface ModelHost {
  url: string;
  /** Every request: path and Range header. */
  requests: { path: string; range: string | undefined }[];
  close: () => Promise<void>;
}

export async function startModelHost(
  root: string,
  options: { cutAfter?: number; failFirst?: number; bytesPerSecond?: number } = {},
): Promise<ModelHost> {
  const requests: ModelHost['requests'] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);
    const file = join(root, normalize(path));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    if (count <= (options.failFirst ?? 0)) {
      res.writeHead(503).end('try later');
      return;
    }
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= size && size > 0) {
      res.writeHead(416).end();
      return;
    }
    const cut = count === 1 && options.cutAfter !== undefined && !path.endsWith('.json');
    res.writeHead(range ? 206 : 200, {
      'content-length': String(size - start),
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const end = cut ? Math.min(size - 1, start + options.cutAfter! - 1) : size - 1;
    const stream = createReadStream(file, { start, end, highWaterMark: 16 * 1024 });
    const rate = options.bytesPerSecond;
    if (rate !== undefined && !cut && !path.endsWith('.json')) {
      void (async () => {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (res.destroyed) return;
          res.write(chunk);
          await sleep((chunk.byteLength / rate) * 1000);
        }
        res.end();
      })().catch(() => res.destroy());
      return;
    }
    stream.pipe(res, { end: !cut });
    // a connection that breaks mid-file: the client sees fewer bytes than content-length
    if (cut) stream.on('end', () => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
