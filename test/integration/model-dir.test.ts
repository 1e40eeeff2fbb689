import Database from 'better-sqlite3';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../benchmarks/backend/select-backend.js';
import { writeCatalogueFixture } from '../../benchmarks/models/write-catalogue-fixture.js';
import { MODEL_HOST_ENV, catalogueEntry } from '../../benchmarks/spec/model-catalogue.js';
import { startServe, type ServeProcess } from '../e2e/support/serve-process.js';
import { scaled } from '../support/machine-load.js';
import { startModelHost } from '../support/model-host.js';
import { writeDigitFolder } from '../unit/datasets/image-folder-fixtures.js';
import { cli, dumpDb, query, sandbox, type Sandbox } from './cli-helpers.js';

/**
 * `--model-dir` wherever a catalogue name is resolved: `run`, `resume` and `serve` (as `init` already did) read a
 * catalogue model from files placed by hand, with no network; without them, each gives the same one line naming the
 * URL, the cache folder and `--model-dir`, exits 1 and stores nothing. The host is a closed port: nothing answers.
 */
const MODEL = 'imagenet/mobilenet-v1-0.25-128';
const entry = catalogueEntry(MODEL)!;
const box = sandbox();
const digits = join(box.dir, 'digits');
const placed = join(box.dir, 'placed');
/** The folder holding the model's own folder as the host names it (mobilenet_v1_0.25_128/model.json). */
const modelDir = join(placed, 'tfjs-models', 'tfjs');
let deadHost: string;
const suitePath = join(box.dir, 'catalogue-suite.json');

const cacheDir = (b: Sandbox) => join(b.env.TRANSFER_BENCH_CACHE!, 'catalogue', 'imagenet', 'mobilenet-v1-0.25-128');

function expectOfflineLine(stderr: string, b: Sandbox): void {
  expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
  expect(stderr).toContain(`cannot download ${MODEL} from ${deadHost}${entry.hostPath}`);
  expect(stderr).toContain(join(cacheDir(b), 'download'));
  expect(stderr).toContain('--model-dir');
}

beforeAll(async () => {
  await writeDigitFolder(digits, [3, 5], 8);
  await selectBackend('wasm');
  writeCatalogueFixture(placed, entry, 3);
  // a host that was there and is gone: its port refuses connections
  const host = await startModelHost(placed);
  deadHost = host.url;
  await host.close();
  box.env[MODEL_HOST_ENV] = deadHost;
  writeFileSync(
    suitePath,
    JSON.stringify({
      name: 'model-dir',
      architecture: 'mlp',
      pixelScaling: '[-1,1]',
      pretrainedModel: { path: MODEL, cutLayer: 'flatten' },
      target: { dataset: { kind: 'folder', dir: digits, imageSize: [28, 28], channels: 1 }, testPerClass: 3 },
      sizes: [6],
      seeds: [0],
      crossValidateBelow: 0,
      approaches: { 'linear-probe': { learningRate: 0.01, epochs: 1, minSteps: 2, batchSize: 8 } },
    }),
  );
});

afterAll(() => rmSync(box.dir, { recursive: true, force: true }));

describe('--model-dir for run, resume and serve', () => {
  it('run: offline without it is one line and stores nothing; with it the suite trains', () => {
    const offline = cli(box, ['run', suitePath, '--workers', '1']);
    expect(offline.status).toBe(1);
    expectOfflineLine(offline.stderr, box);
    expect(dumpDb(box.db)).not.toContain('model-dir');

    const missing = cli(box, ['run', suitePath, '--model-dir', join(box.dir, 'nowhere')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`transfer-bench: --model-dir ${join(box.dir, 'nowhere')}: no such folder`);

    const run = cli(box, ['run', suitePath, '--workers', '1', '--model-dir', modelDir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('downloading');
    const trials = query<{ status: string }>(box.db, 'SELECT status FROM trials');
    expect(trials.map((t) => t.status)).toEqual(['done']);
  });

  it('resume: reads the same folder when the cache is gone', () => {
    // the suite's trial not finished (as after a kill), and the model cache emptied
    const db = new Database(box.db);
    db.prepare(`UPDATE trials SET status = 'pending'`).run();
    db.prepare(`UPDATE suites SET status = 'cancelled'`).run();
    db.close();
    rmSync(cacheDir(box), { recursive: true, force: true });

    const offline = cli(box, ['resume', '1', '--workers', '1']);
    expect(offline.status).toBe(1);
    expectOfflineLine(offline.stderr, box);
    expect(query<{ status: string }>(box.db, 'SELECT status FROM trials').map((t) => t.status)).toEqual(['pending']);

    const resumed = cli(box, ['resume', '1', '--workers', '1', '--model-dir', modelDir]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(query<{ status: string }>(box.db, 'SELECT status FROM trials').map((t) => t.status)).toEqual(['done']);
    expect(existsSync(join(cacheDir(box), 'model', 'model.json'))).toBe(true);
  });

  describe('serve', () => {
    const servers: ServeProcess[] = [];
    afterAll(async () => {
      for (const server of servers) await server.stop();
    });

    function draft(url: string): Promise<{ status: number; body: string }> {
      const { port } = new URL(url);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/draftSuite',
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ target: digits, source: MODEL, estimate: false }));
      });
    }

    it(
      'drafts a suite on a catalogue name from --model-dir offline, and says the one line without it',
      async () => {
        const start = async (b: Sandbox, args: string[]) => {
          b.env[MODEL_HOST_ENV] = deadHost;
          const server = await startServe({ dbPath: b.db, env: b.env as Record<string, string>, args });
          servers.push(server);
          return server;
        };
        const empty = sandbox();
        const without = await start(empty, []);
        const refused = await draft(without.url);
        expect(refused.status).toBe(400);
        const error = (JSON.parse(refused.body) as { error: string }).error;
        expectOfflineLine(error, empty);

        const fresh = sandbox();
        const withDir = await start(fresh, ['--model-dir', modelDir]);
        const answer = await draft(withDir.url);
        expect(answer.status, answer.body).toBe(200);
        const spec = (JSON.parse(answer.body) as { spec: { pretrainedModel: Record<string, unknown> } }).spec;
        expect(spec.pretrainedModel).toMatchObject({ path: MODEL, cutLayer: 'flatten', inputShape: [128, 128, 3] });
        expect(spec.pretrainedModel.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(withDir.output()).not.toContain('    at ');
      },
      scaled(300_000),
    );
  });
});
