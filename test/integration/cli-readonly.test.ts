import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../benchmarks/spec/load-suite.js';
import { MIGRATIONS } from '../../benchmarks/store/migrations.js';
import { openDb } from '../../benchmarks/store/open-db.js';
import { SqliteStore } from '../../benchmarks/store/sqlite-store.js';
import { BIN, TINY_SUITE, cli, sandbox, type Sandbox } from './cli-helpers.js';
import { storeSuite } from '../support/stored-suite.js';
import { okResult } from '../support/trial-result.js';

/** A database holding one finished suite, written by the store itself (no training needed), closed cleanly. */
async function finishedSuiteDb(box: Sandbox): Promise<void> {
  const suite = loadSuite({ kind: 'file', path: TINY_SUITE });
  const db = openDb(box.db);
  const store = new SqliteStore(db);
  await storeSuite(store, suite, (trial) => okResult(trial.trainSize === 10 ? 0.6 : 0.8));
  db.close();
}

/** Whether this process may mount a read-only bind mount in a private mount namespace (root or user namespaces). */
const canMountReadOnly = (() => {
  const probe = spawnSync(
    'unshare',
    ['-m', 'sh', '-c', 'mount -o remount,ro,bind / / 2>/dev/null || mount --bind /tmp /mnt'],
    {
      encoding: 'utf8',
    },
  );
  return probe.status === 0;
})();

describe('read-only commands never write the database', () => {
  it('list, export and report work on a read-only file and leave it byte for byte as it was', async () => {
    const box = sandbox();
    await finishedSuiteDb(box);
    const before = readFileSync(box.db);
    chmodSync(box.db, 0o444);
    const list = cli(box, ['list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/1\s+tiny\s+done\s+6\/6/);
    const exported = cli(box, ['export', '1', '--out', join(box.dir, 'out')]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(readdirSync(join(box.dir, 'out')).sort()).toEqual([
      'columns.md',
      'comparison.csv',
      'epochs.csv',
      'summary.csv',
      'trials.csv',
    ]);
    const report = cli(box, ['report', '1', '--out', join(box.dir, 'report.md')]);
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(box.db).equals(before)).toBe(true);
  });

  it('a database from an older transfer-bench: read-only commands say to migrate and change nothing; migrate upgrades it', () => {
    const box = sandbox();
    const old = new Database(box.db);
    old.pragma('journal_mode = WAL');
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.close();
    const before = readFileSync(box.db);
    const list = cli(box, ['list']);
    expect(list.status).toBe(1);
    expect(list.stderr.trim()).toBe(
      `transfer-bench: database ${box.db} was written by an older transfer-bench (schema version 1, this one reads ${MIGRATIONS.length}): upgrade it once with \`node bin/transfer-bench.js migrate --db ${box.db}\` (it keeps every result), then run this again`,
    );
    expect(readFileSync(box.db).equals(before)).toBe(true);
    const migrate = cli(box, ['migrate']);
    expect(migrate.status, migrate.stderr).toBe(0);
    const after = cli(box, ['list']);
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toContain('no suites yet');
  });

  it.skipIf(!canMountReadOnly)(
    'list, export and report work on a read-only file system (needs permission to mount: root or user namespaces)',
    async () => {
      const box = sandbox();
      await finishedSuiteDb(box);
      const ro = join(box.dir, 'ro');
      mkdirSync(ro);
      cpSync(box.db, join(ro, 'results.db'));
      const db = join(ro, 'results.db');
      const out = join(box.dir, 'out');
      const script = [
        `mount --bind '${ro}' '${ro}'`,
        `mount -o remount,ro,bind '${ro}'`,
        `node '${BIN}' list --db '${db}'`,
        `node '${BIN}' export 1 --db '${db}' --out '${out}'`,
        `node '${BIN}' report 1 --db '${db}' --out '${join(box.dir, 'report.html')}'`,
        `node '${BIN}' export 1 --db '${db}' --out '${join(ro, 'out')}'; echo "export into ro: $?"`,
      ].join(' && ');
      const result = spawnSync('unshare', ['-m', 'sh', '-c', script], { env: box.env, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout, result.stderr).toMatch(/1\s+tiny\s+done\s+6\/6/);
      expect(existsSync(join(out, 'summary.csv'))).toBe(true);
      expect(existsSync(join(box.dir, 'report.html'))).toBe(true);
      expect(result.stdout).toContain('export into ro: 1');
      // the export and the report say which suite they wrote; the export into the read-only folder only fails
      const lines = result.stderr.trim().split('\n');
      expect(lines.slice(0, -1).map((l) => l.split(' (')[0])).toEqual(['exported suite 1', 'reported on suite 1']);
      expect(lines.at(-1)).toBe(
        `transfer-bench: cannot write ${join(ro, 'out')}: the file system is read-only: choose another folder with --out (EROFS)`,
      );
    },
  );
});
