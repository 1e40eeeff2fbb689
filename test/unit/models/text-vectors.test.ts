import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../benchmarks/backend/select-backend.js';
import { UserError } from '../../../benchmarks/errors.js';
import { downloadVectors, modelFromVectors, readVectors } from '../../../benchmarks/models/text-vectors.js';
import { textArchitecture } from '../../../benchmarks/spec/suite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'text-vectors-'));
const VEC = '3 4\ninvoice 0.1 0.2 0.3 0.4\nparcel -1 -2 -3 -4\nunused 9 9 9 9\n';
let server: Server;
let served = 0;

beforeAll(async () => {
  await selectBackend('cpu');
  // the catalogue's layout, on this machine: /fasttext/vectors-crawl/cc.en.300.vec.gz
  server = createServer((req, res) => {
    served++;
    if (req.url === '/fasttext/vectors-crawl/cc.en.300.vec.gz') res.end(gzipSync(VEC));
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  process.env.TRANSFER_BENCH_VECTORS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.TRANSFER_BENCH_CACHE = join(dir, 'cache');
});

afterAll(async () => {
  delete process.env.TRANSFER_BENCH_VECTORS_URL;
  delete process.env.TRANSFER_BENCH_CACHE;
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

describe('word vectors', () => {
  it('reads the rows of the wanted words from a .vec file, header line or not, gzipped or not', async () => {
    writeFileSync(join(dir, 'v.vec'), VEC);
    const read = await readVectors(join(dir, 'v.vec'), new Set(['invoice', 'parcel', 'missing']));
    expect(read.dim).toBe(4);
    expect([...read.vectors.keys()]).toEqual(['invoice', 'parcel']);
    expect(Array.from(read.vectors.get('parcel')!)).toEqual([-1, -2, -3, -4]);
    writeFileSync(join(dir, 'glove.vec.gz'), gzipSync('invoice 1 2\nparcel 3 4\n'));
    const glove = await readVectors(join(dir, 'glove.vec.gz'), new Set(['parcel']));
    expect(glove.dim).toBe(2);
    expect(Array.from(glove.vectors.get('parcel')!)).toEqual([3, 4]);
  });

  it('refuses a row of another dimension, naming the line', async () => {
    writeFileSync(join(dir, 'bad.vec'), 'a 1 2 3\nb 1 2\n');
    await expect(readVectors(join(dir, 'bad.vec'), new Set(['a']))).rejects.toThrow(
      /bad\.vec, line 2: 2 values where the file has 3/,
    );
  });

  it('downloads vectors by name once, into the cache', async () => {
    const path = await downloadVectors('fasttext-cc-en-300');
    expect(path).toBe(join(dir, 'cache', 'vectors', 'fasttext-cc-en-300.vec.gz'));
    expect((await readVectors(path, new Set(['invoice']))).vectors.get('invoice')).toBeDefined();
    const before = served;
    await downloadVectors('fasttext-cc-en-300');
    expect(served).toBe(before);
    await expect(downloadVectors('glove-nope')).rejects.toBeInstanceOf(UserError);
  });

  it("starts the embedding from the vectors of the vocabulary's words, the other rows as drawn", async () => {
    writeFileSync(join(dir, 'v.vec'), VEC);
    const vocabulary = ['[PAD]', '[UNK]', 'invoice', 'refund', 'parcel'];
    const vectors = await readVectors(join(dir, 'v.vec'), new Set(vocabulary));
    const arch = textArchitecture.parse({ name: 'text-cnn', vocabularySize: 5, embeddingDim: 4, filters: 4 });
    const before = tf.memory().numTensors;
    const { model, found } = modelFromVectors(arch, [1, 6, 1], 3, vocabulary, vectors);
    expect(found).toBe(2);
    const rows = model.getLayer('embedding').getWeights()[0]!.arraySync() as number[][];
    rows[2]!.forEach((v, i) => expect(v).toBeCloseTo([0.1, 0.2, 0.3, 0.4][i]!, 6));
    expect(rows[4]).toEqual([-1, -2, -3, -4]);
    expect(Math.max(...rows[3]!.map(Math.abs))).toBeLessThanOrEqual(0.05);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => modelFromVectors({ ...arch, embeddingDim: 8 }, [1, 6, 1], 3, vocabulary, vectors)).toThrow(
      /the word vectors have 4 dimensions but the text-cnn embedding has 8/,
    );
  });
});
