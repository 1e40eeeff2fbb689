import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUITE_LIMITS } from '../../benchmarks/spec/suite-limits.js';
import { openStore } from '../../benchmarks/store/open-store.js';
import { scaled } from '../support/machine-load.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';
import { cli, query, sandbox } from './cli-helpers.js';

/**
 * Issue 16, defect 5's leftover: the suite limits apply to new work (run, init, serve, the app), never to what is
 * stored. A suite stored before the limits (here: more seeds and sizes than they allow, written into its row as an
 * older version would have) stays readable and resumable; running its spec as a new suite is refused.
 */
const box = sandbox();
let spec: Record<string, unknown>;

beforeAll(async () => {
  const store = await openStore(box.db);
  try {
    await storeFinishedTinySuite(store);
  } finally {
    await store.close();
  }
  const db = new Database(box.db);
  try {
    const row = db.prepare('SELECT spec_json FROM suites WHERE id = 1').get() as { spec_json: string };
    spec = JSON.parse(row.spec_json) as Record<string, unknown>;
    const sizes = spec.sizes as number[];
    // the stored trials' sizes stay first; more sizes and seeds than a new suite may have follow
    spec.sizes = [...sizes, ...Array.from({ length: SUITE_LIMITS.sizes }, (_, i) => 1000 + i)];
    spec.seeds = Array.from({ length: SUITE_LIMITS.seeds + 20 }, (_, i) => i);
    db.prepare('UPDATE suites SET spec_json = ? WHERE id = 1').run(JSON.stringify(spec));
  } finally {
    db.close();
  }
});

describe('a suite stored above the limits', () => {
  it('is listed, reported and exported as before', () => {
    const list = cli(box, ['list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/1\s+tiny\s+done\s+6\/6/);
    const report = cli(box, ['report', '1', '--out', join(box.dir, 'report.md')]);
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(join(box.dir, 'report.md'), 'utf8')).toContain('tiny');
    const exported = cli(box, ['export', '1', '--out', join(box.dir, 'out')]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(existsSync(join(box.dir, 'out', 'trials.csv'))).toBe(true);
  });

  it(
    'is resumed (its failed trial trained again), while the same spec as a new suite is refused',
    () => {
      const resumed = cli(box, ['resume', '1', '--retry-failed', '--workers', '1']);
      expect(resumed.status, resumed.stderr).toBe(0);
      const trials = query<{ status: string }>(box.db, 'SELECT status FROM trials WHERE suite_id = 1');
      expect(trials.filter((t) => t.status === 'failed')).toEqual([]);
      expect(trials).toHaveLength(6);

      const file = join(box.dir, 'again.json');
      writeFileSync(file, JSON.stringify(spec));
      const again = cli(box, ['run', file]);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain(`${SUITE_LIMITS.seeds + 20} seeds; at most ${SUITE_LIMITS.seeds} in one suite`);
      expect(query<{ n: number }>(box.db, 'SELECT COUNT(*) AS n FROM suites')[0]!.n).toBe(1);
    },
    scaled(300_000),
  );
});
