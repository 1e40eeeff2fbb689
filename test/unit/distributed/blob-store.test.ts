/**
 * Content-addressed blobs (benchmarks/distributed/blob-store.ts over Store.putBlob/getBlob), held against both
 * stores, and the on-disk cache a worker keeps of them.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedBlobFile, cachedBlobFolder } from '../../../benchmarks/distributed/blob-cache.js';
import { BlobStore, CHUNK_BYTES, sha256 } from '../../../benchmarks/distributed/blob-store.js';
import { packFiles } from '../../../benchmarks/distributed/folder-pack.js';
import { PgStore } from '../../../benchmarks/store/pg-store.js';
import { postgresBackend, sqliteBackend, type FreshDatabase } from '../../support/store-backends.js';

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe.skipIf(!backend.available())(`content-addressed blobs: ${backend.name}`, () => {
    let database: FreshDatabase;
    let blobs: BlobStore;

    beforeAll(async () => {
      await backend.setUp();
      database = await backend.fresh();
      blobs = new BlobStore(await database.open());
    });
    afterAll(() => backend.tearDown());

    it('stores bytes once under their SHA-256 and gives them back, across chunks', async () => {
      const bytes = Buffer.alloc(CHUNK_BYTES * 2 + 123);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 251;
      const first = await blobs.put(bytes);
      expect(first).toEqual({ hash: sha256(bytes), uploaded: true });
      expect(await blobs.has(first.hash)).toBe(true);
      expect(await blobs.put(bytes)).toEqual({ hash: first.hash, uploaded: false });
      expect(await database.sql('SELECT chunks FROM blobs WHERE hash = @hash', { hash: first.hash })).toEqual([
        { chunks: 3 },
      ]);
      expect((await blobs.get(first.hash)).equals(bytes)).toBe(true);
    });

    it('is safe when several writers store the same bytes at once: one row, one upload', async () => {
      const bytes = Buffer.from('the same content from two machines');
      const other = new BlobStore(await database.open());
      const results = await Promise.all([blobs.put(bytes), other.put(bytes), other.put(bytes)]);
      expect(results.filter((r) => r.uploaded)).toHaveLength(1);
      expect(
        await database.sql('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM blob_chunks WHERE hash = @hash', {
          hash: sha256(bytes),
        }),
      ).toEqual([{ n: 1 }]);
    });

    it('refuses a damaged copy and a missing blob', async () => {
      const { hash } = await blobs.put(Buffer.from('to be damaged'));
      await database.sql('UPDATE blob_chunks SET data = @data WHERE hash = @hash', { hash, data: Buffer.from('x') });
      await expect(blobs.get(hash)).rejects.toThrow(/does not match its hash/);
      await expect(blobs.get('0'.repeat(64))).rejects.toThrow(/not in the database/);
      expect(await blobs.has('0'.repeat(64))).toBe(false);
    });

    it.runIf(backend.name === 'PostgreSQL')(
      'a connection that breaks while a blob is written: nothing of the blob is kept, and the next call gets a new connection',
      async () => {
        // The server ends the connection writing the chunk (a trigger terminates its own backend), mid-transaction.
        await database.sql(`CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`);
        await database.sql('CREATE TRIGGER die BEFORE INSERT ON blob_chunks FOR EACH ROW EXECUTE FUNCTION die()');
        const store = (await PgStore.open(database.location, { max: 1 })) as PgStore;
        try {
          const bytes = Buffer.from('cut off half way');
          await expect(store.putBlob(bytes)).rejects.toThrow();
          await database.sql('DROP TRIGGER die ON blob_chunks');
          // one connection in the pool: had the broken one gone back, this would fail on it
          expect(await store.hasBlob(sha256(bytes))).toBe(false);
          expect(await store.putBlob(bytes)).toEqual({ hash: sha256(bytes), uploaded: true });
        } finally {
          await store.close();
        }
      },
    );

    it('caches a blob on disk by hash: fetched once, then read without the database', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'tb-blob-cache-'));
      const previous = process.env.TRANSFER_BENCH_CACHE;
      process.env.TRANSFER_BENCH_CACHE = cache;
      try {
        const bytes = Buffer.from('arrays of a suite');
        const { hash } = await blobs.put(bytes);
        let reads = 0;
        const counting = { get: (h: string) => (reads++, blobs.get(h)) } as unknown as BlobStore;
        const [a, b] = await Promise.all([cachedBlobFile(counting, hash), cachedBlobFile(counting, hash)]);
        expect(a).toBe(b);
        expect(await cachedBlobFile(counting, hash)).toBe(a);
        expect(reads).toBe(1);
        expect(readFileSync(a).equals(bytes)).toBe(true);
        expect(readdirSync(join(cache, 'blobs'))).toEqual([hash]); // no temporary file left

        const model = mkdtempSync(join(tmpdir(), 'tb-model-'));
        writeFileSync(join(model, 'model.json'), '{"modelTopology":{}}');
        writeFileSync(join(model, 'weights.bin'), Buffer.from([1, 2, 3, 4]));
        const packed = await blobs.put(packFiles(model, ['model.json', 'weights.bin']));
        const dir = await cachedBlobFolder(blobs, packed.hash);
        expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('{"modelTopology":{}}');
        expect([...readFileSync(join(dir, 'weights.bin'))]).toEqual([1, 2, 3, 4]);
        expect(existsSync(`${dir}.partial-${process.pid}`)).toBe(false);
      } finally {
        if (previous === undefined) delete process.env.TRANSFER_BENCH_CACHE;
        else process.env.TRANSFER_BENCH_CACHE = previous;
      }
    });
  });
}
