import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, TINY_SUITE, cli, dumpDb, query, sandbox, type Sandbox } from './cli-helpers.js';
import { openDb } from '../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../benchmarks/store/sqlite-store.js';
import { scaled } from '../support/machine-load.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';

const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

/** Whether this process may mount a small tmpfs in a private mount namespace (root or user namespaces). */
const canMountTmpfs = (() => {
  const probe = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1M tmpfs /mnt'], { encoding: 'utf8' });
  return probe.status === 0;
})();

const tiny = JSON.parse(readFileSync(TINY_SUITE, 'utf8')) as Record<string, unknown>;

/** One clear line on stderr, a non-zero exit, and the database exactly as before. */
function expectCleanFailure(box: Sandbox, args: string[], ...fragments: string[]): void {
  const before = dumpDb(box.db);
  const { status, stderr } = cli(box, args);
  expect(status).not.toBe(0);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^transfer-bench: /);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  expect(dumpDb(box.db)).toBe(before);
}

function suiteFile(box: Sandbox, name: string, content: unknown): string {
  const path = join(box.dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('bad input: one clear error, non-zero exit, database unchanged', () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = sandbox();
    // A finished suite in the database, so "unchanged" compares real content: suite, trials and curves, written
    // through the store as a run writes them (training it would only cost time: no test here reads its numbers).
    const db = openDb(box.db);
    try {
      expect(await storeFinishedTinySuite(new SqliteStore(db))).toBe(1);
    } finally {
      db.close();
    }
    expect(query<{ n: number }>(box.db, 'SELECT count(*) AS n FROM trials')[0]!.n).toBe(6);
  });

  it('malformed JSON', () => {
    expectCleanFailure(box, ['run', suiteFile(box, 'bad.json', '{"name": "x",')], 'bad.json', 'not valid JSON');
  });

  it('unknown approach', () => {
    const path = suiteFile(box, 'approach.json', {
      ...tiny,
      approaches: { distill: { learningRate: 0.001, epochs: 1 } },
    });
    expectCleanFailure(box, ['run', path], 'approaches', 'distill');
  });

  it('unknown backend', () => {
    expectCleanFailure(box, ['run', TINY_SUITE, '--backend', 'metal'], 'metal');
  });

  it.each([
    [[0, 10], 'sizes.0'],
    [[-10, 10], 'sizes.0'],
    [[40, 10], 'strictly increasing'],
  ])('sizes %j', (sizes, fragment) => {
    expectCleanFailure(box, ['run', suiteFile(box, 'sizes.json', { ...tiny, sizes })], 'sizes', fragment);
  });

  it('a size larger than the pool', () => {
    const path = suiteFile(box, 'large.json', { ...tiny, sizes: [10, 100000] });
    expectCleanFailure(box, ['run', path, '--backend', 'wasm'], '100000', 'larger than the training pool');
  });

  it('a missing IDX file', () => {
    const path = suiteFile(box, 'missing-idx.json', {
      ...tiny,
      pretrain: undefined,
      approaches: { scratch: { learningRate: 0.001, epochs: 1 } },
      target: {
        dataset: { kind: 'idx', dir: box.dir, train: { images: 'nope-images.gz', labels: 'nope-labels.gz' } },
        testPerClass: 1,
      },
    });
    expectCleanFailure(box, ['run', path, '--backend', 'wasm'], 'nope-images.gz');
  });

  it('a truncated IDX file', () => {
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28]);
    writeFileSync(join(box.dir, 'trunc-images.gz'), gzipSync(Buffer.concat([header, Buffer.alloc(500)])));
    writeFileSync(
      join(box.dir, 'trunc-labels'),
      Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 100]), Buffer.alloc(100)]),
    );
    const path = suiteFile(box, 'trunc.json', {
      ...tiny,
      pretrain: undefined,
      approaches: { scratch: { learningRate: 0.001, epochs: 1 } },
      target: {
        dataset: { kind: 'idx', dir: box.dir, train: { images: 'trunc-images.gz', labels: 'trunc-labels' } },
        testPerClass: 1,
      },
    });
    expectCleanFailure(box, ['run', path, '--backend', 'wasm'], 'trunc-images.gz', 'truncated');
  });

  it('a pretrained model that does not load', () => {
    writeFileSync(join(box.dir, 'model.json'), '{"modelTopology": 42}');
    const path = suiteFile(box, 'model-suite.json', {
      ...tiny,
      pretrain: undefined,
      pretrainedModel: { path: 'model.json', cutLayer: 'features' },
    });
    expectCleanFailure(box, ['run', path, '--backend', 'wasm'], 'model.json', 'does not load');
  });

  it.skipIf(nativeInstalled)('a backend that cannot load here', () => {
    expectCleanFailure(box, ['run', TINY_SUITE, '--backend', 'tensorflow'], 'tensorflow', 'not available');
  });

  it('export of a suite id that does not exist', () => {
    expectCleanFailure(box, ['export', '999', '--out', join(box.dir, 'out')], 'no suite with id 999');
  });

  it('resume of a suite id that does not exist', () => {
    expectCleanFailure(box, ['resume', '999'], 'no suite with id 999');
  });
});

describe('a full disk', () => {
  it.skipIf(!canMountTmpfs)(
    'defect 8: the database on a full file system: the real message, with the database and the resume hint, last (needs permission to mount)',
    () => {
      // The database on a 4 MB tmpfs, filled up once the first trial is done; then space is freed and resumed.
      const box = sandbox();
      const mnt = join(box.dir, 'mnt');
      const db = join(mnt, 'results.db');
      const log = join(box.dir, 'run.err');
      const run = `node '${BIN}' run '${TINY_SUITE}' --backend wasm --workers 1 --db '${db}'`;
      const script = [
        `mkdir -p '${mnt}' && mount -t tmpfs -o size=4M tmpfs '${mnt}'`,
        `${run} > '${box.dir}/run.out' 2> '${log}' &`,
        'pid=$!',
        `while ! grep -q '\\[1/6\\]' '${log}'; do sleep 0.2; done`,
        `dd if=/dev/zero of='${mnt}/fill' bs=64k 2>/dev/null || true`,
        'wait $pid; echo "run exit: $?"',
        `rm '${mnt}/fill'`,
        `node '${BIN}' resume 1 --workers 1 --db '${db}' > /dev/null 2>&1; echo "resume exit: $?"`,
        `cp '${db}' '${box.dir}/after.db'; cp '${db}-wal' '${box.dir}/after.db-wal' 2>/dev/null || true`,
      ].join('\n');
      const result = spawnSync('unshare', ['-m', 'sh', '-c', script], {
        env: box.env,
        encoding: 'utf8',
        timeout: scaled(600_000),
      });
      expect(result.stdout, result.stderr).toContain('run exit: 1');
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `could not store .* in ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: database or disk is full \\(SQLITE_FULL\\)\\..*run \`transfer-bench resume 1\` to finish the suite`,
        ),
      );
      expect(result.stdout).toContain('resume exit: 0');
      const trials = query<{ status: string }>(join(box.dir, 'after.db'), 'SELECT status FROM trials');
      expect(trials.map((t) => t.status)).toEqual(Array(6).fill('done'));
    },
  );
});
