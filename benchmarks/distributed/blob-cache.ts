import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelCacheDir } from '../paths.js';
import type { BlobStore } from './blob-store.js';
import { unpackInto } from './folder-pack.js';

/**
 * A worker's local copy of the blobs it needs, by hash, under the cache folder (TRANSFER_BENCH_CACHE): each blob is
 * fetched from the database once per machine, written to a temporary file and renamed into place (a reader never
 * sees half a file), and read from disk by every trial after that.
 */
export function blobCacheDir(): string {
  return join(modelCacheDir(), 'blobs');
}

const inFlight = new Map<string, Promise<string>>();

function once(key: string, make: () => Promise<string>): Promise<string> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = make().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

/** The path of the blob's bytes on this machine, fetched first if needed. */
export function cachedBlobFile(blobs: BlobStore, hash: string): Promise<string> {
  const path = join(blobCacheDir(), hash);
  return once(path, async () => {
    if (existsSync(path)) return path;
    const bytes = await blobs.get(hash);
    mkdirSync(blobCacheDir(), { recursive: true });
    const temporary = `${path}.partial-${process.pid}`;
    try {
      writeFileSync(temporary, bytes);
      renameSync(temporary, path);
    } finally {
      rmSync(temporary, { force: true });
    }
    return path;
  });
}

/** The folder a packed blob (folder-pack.ts, e.g. a saved model) is unpacked into on this machine. */
export function cachedBlobFolder(blobs: BlobStore, hash: string): Promise<string> {
  const dir = join(blobCacheDir(), `${hash}.d`);
  return once(dir, async () => {
    if (!existsSync(dir)) unpackInto(await blobs.get(hash), dir);
    return dir;
  });
}
