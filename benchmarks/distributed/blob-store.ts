import type { Store } from '../store/store.js';
import { BLOB_CHUNK_BYTES, sha256 } from '../store/sql-store.js';

/**
 * Content-addressed blobs in the shared database: what a worker on another machine needs to run a trial (a suite's
 * task arrays, the source model's weights), stored once under the SHA-256 of its bytes, through the store
 * (Store.putBlob/getBlob: chunks written in one transaction with the blob's row, so a reader finds the whole blob or
 * none of it; tables in store/migrations.ts).
 */
export const CHUNK_BYTES = BLOB_CHUNK_BYTES;
export { sha256 };

export class BlobStore {
  constructor(private readonly store: Store) {}

  has(hash: string): Promise<boolean> {
    return this.store.hasBlob(hash);
  }

  /**
   * Stores `bytes` unless a blob with the same hash is there already; returns the hash and whether it was uploaded.
   * Two processes storing the same bytes at once are safe: the second waits on the first's row and skips.
   */
  put(bytes: Uint8Array): Promise<{ hash: string; uploaded: boolean }> {
    return this.store.putBlob(bytes);
  }

  /** The blob's bytes, checked against its hash; throws when there is no such blob. */
  get(hash: string): Promise<Buffer> {
    return this.store.getBlob(hash);
  }
}
