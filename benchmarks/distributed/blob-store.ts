import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Content-addressed blobs in the shared PostgreSQL database: what a worker on another machine needs to run a trial
 * (a suite's task arrays, the source model's weights), stored once under the SHA-256 of its bytes. A blob is split
 * into chunks (a bytea value is limited to 1 GB, and smaller rows keep memory and network use even) and written in
 * one transaction with its index row, so a reader finds either the whole blob or none of it. Tables: store/pg-migrations.ts.
 */
/** 16 MiB per row. */
export const CHUNK_BYTES = 16 * 1024 * 1024;

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class BlobStore {
  constructor(private readonly pool: pg.Pool) {}

  async has(hash: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM blobs WHERE hash = $1', [hash]);
    return rowCount === 1;
  }

  /**
   * Stores `bytes` unless a blob with the same hash is there already; returns the hash and whether it was uploaded.
   * Two processes storing the same bytes at once are safe: the second waits on the first's index row and skips.
   */
  async put(bytes: Uint8Array): Promise<{ hash: string; uploaded: boolean }> {
    const hash = sha256(bytes);
    if (await this.has(hash)) return { hash, uploaded: false };
    const chunks = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        'INSERT INTO blobs (hash, size, chunks, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING',
        [hash, bytes.byteLength, chunks, new Date().toISOString()],
      );
      if (inserted.rowCount === 1) {
        for (let index = 0; index < chunks; index++) {
          const part = bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES);
          await client.query('INSERT INTO blob_chunks (hash, chunk, data) VALUES ($1, $2, $3)', [
            hash,
            index,
            Buffer.from(part.buffer, part.byteOffset, part.byteLength),
          ]);
        }
      }
      await client.query('COMMIT');
      return { hash, uploaded: inserted.rowCount === 1 };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** The blob's bytes, checked against its hash; throws when there is no such blob. */
  async get(hash: string): Promise<Buffer> {
    const head = await this.pool.query<{ size: string; chunks: number }>(
      'SELECT size, chunks FROM blobs WHERE hash = $1',
      [hash],
    );
    const row = head.rows[0];
    if (!row) throw new Error(`blob ${hash} is not in the database`);
    const parts: Buffer[] = [];
    for (let index = 0; index < row.chunks; index++) {
      const chunk = await this.pool.query<{ data: Buffer }>(
        'SELECT data FROM blob_chunks WHERE hash = $1 AND chunk = $2',
        [hash, index],
      );
      const data = chunk.rows[0]?.data;
      if (!data) throw new Error(`blob ${hash} is missing its chunk ${index}`);
      parts.push(data);
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== Number(row.size) || sha256(bytes) !== hash) {
      throw new Error(`blob ${hash} does not match its hash: the database copy is damaged`);
    }
    return bytes;
  }
}
