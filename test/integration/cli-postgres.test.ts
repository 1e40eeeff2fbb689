/**
 * The CLI on a shared PostgreSQL database: `--db postgres://…` or TRANSFER_BENCH_DB selects it for every command
 * (run, resume, list, export, report, migrate); export writes the same bytes as from SQLite for the same trials; a
 * database that cannot be used is one line and a non-zero exit, with nothing stored. A real server, never a mock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../benchmarks/store/open-store.js';
import { PG_MIGRATIONS } from '../../benchmarks/store/migrations.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { storeFinishedTinySuite } from '../support/stored-suite.js';
import { olderPostgresSchema } from '../support/store-backends.js';
import { requireSystem } from '../support/system.js';
import { TINY_SUITE, cli, sandbox, type Sandbox } from './cli-helpers.js';

let databases = 0;

async function rows<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A sandbox whose TRANSFER_BENCH_DB is `url`. */
function onDatabase(url: string): Sandbox {
  const box = sandbox();
  return { ...box, env: { ...box.env, TRANSFER_BENCH_DB: url } };
}

const files = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );

describe.skipIf(!requireSystem('postgresql'))('the CLI on PostgreSQL (--db postgres://…, TRANSFER_BENCH_DB)', () => {
  let server: PostgresServer;
  const fresh = () => server.createDatabase(`tb_cli_${process.pid}_${++databases}`);
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('runs a suite into the database TRANSFER_BENCH_DB names; list, export, report and resume read it there', async () => {
    const url = await fresh();
    const box = onDatabase(url);
    const run = cli(box, ['run', TINY_SUITE, '--backend', 'wasm', '--workers', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('test accuracy %');
    const stored = await rows<{ status: string; n: number }>(
      url,
      'SELECT status, COUNT(*)::int AS n FROM trials GROUP BY status',
    );
    expect(stored).toEqual([{ status: 'done', n: 6 }]);
    expect(
      await rows(url, 'SELECT COUNT(*)::int AS n FROM epochs WHERE trial_id IN (SELECT id FROM trials)'),
    ).not.toEqual([{ n: 0 }]);

    const list = cli(box, ['list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/1\s+tiny\s+done\s+6\/6\s+wasm/);
    const out = join(box.dir, 'out');
    const exported = cli(box, ['export', 'latest', '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'columns.md',
      'comparison.csv',
      'epochs.csv',
      'summary.csv',
      'trials.csv',
    ]);
    const report = cli(box, ['report', '1', '--out', join(box.dir, 'report.md')]);
    expect(report.status, report.stderr).toBe(0);
    expect(readFileSync(join(box.dir, 'report.md'), 'utf8')).toContain('tiny');
    const resume = cli(box, ['resume', '1']);
    expect(resume.status).toBe(1);
    expect(resume.stderr.trim()).toBe('transfer-bench: suite 1 is already complete: nothing to resume');

    // --db wins over the environment, and a plain path keeps meaning an SQLite file.
    const sqlite = join(box.dir, 'local.db');
    const local = cli(box, ['list', '--db', sqlite]);
    expect(local.status).toBe(1);
    expect(local.stderr).toContain(`database ${sqlite} does not exist`);
  });

  it('export writes byte-identical CSV files (and report the same Markdown) from SQLite and PostgreSQL for the same trials', async () => {
    const url = await fresh();
    const box = sandbox();
    const sqlitePath = join(box.dir, 'same.db');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const location of [sqlitePath, url]) {
        vi.setSystemTime(new Date('2026-11-30T10:00:00.000Z'));
        const store = await openStore(location);
        try {
          expect(await storeFinishedTinySuite(store)).toBe(1);
        } finally {
          await store.close();
        }
      }
    } finally {
      vi.useRealTimers();
    }
    const written: Record<string, string>[] = [];
    for (const [name, location] of [
      ['sqlite', sqlitePath],
      ['postgres', url],
    ] as const) {
      const out = join(box.dir, name);
      const exported = cli(box, ['export', '1', '--db', location, '--out', out]);
      expect(exported.status, exported.stderr).toBe(0);
      const report = cli(box, ['report', '1', '--db', location, '--out', join(out, 'report.md')]);
      expect(report.status, report.stderr).toBe(0);
      written.push(files(out));
    }
    const [fromSqlite, fromPostgres] = written;
    expect(Object.keys(fromSqlite!)).toEqual([
      'columns.md',
      'comparison.csv',
      'epochs.csv',
      'report.md',
      'summary.csv',
      'trials.csv',
    ]);
    for (const name of Object.keys(fromSqlite!)) expect(fromPostgres![name], name).toBe(fromSqlite![name]);
    // The awkward values made it through: a diverged loss is empty, the failed trial's error is quoted.
    expect(fromSqlite!['trials.csv']).toContain('"worker died: ""SIGKILL"", see log\nsecond line"');
  });

  it('a database that cannot be used: one line naming it and what to do, exit 1, nothing stored', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const box = sandbox();
    const cases: [string, RegExp][] = [
      [
        `postgres://postgres@127.0.0.1:${closed}/results`,
        /cannot be (opened|read): .*ECONNREFUSED.*is PostgreSQL running there/,
      ],
      [
        `postgres://nobody:secret@127.0.0.1:${server.port}/postgres`,
        /role "nobody" does not exist \(28000\); check the user name and password/,
      ],
      [
        `postgres://postgres@127.0.0.1:${server.port}/missing`,
        /database "missing" does not exist \(3D000\); create the database first/,
      ],
      ['postgres://', /names no server/],
      [
        'postgress://me@host/db',
        /postgress:\/\/ is not a database this program opens; give postgres:\/\/user@host\/database/,
      ],
    ];
    for (const [location, expected] of cases) {
      // `run` opens the database for writing, `list` only to read: both refuse the same way.
      for (const args of location.startsWith('postgres://postgres@') ? [['run', TINY_SUITE], ['list']] : [['list']]) {
        const result = cli(box, [...args, '--db', location]);
        expect(result.status, `${args[0]} ${location}`).toBe(1);
        const lines = result.stderr.trim().split('\n');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^transfer-bench: /);
        expect(lines[0]).toMatch(expected);
        expect(lines[0]).not.toContain('secret');
      }
    }
    expect(readdirSync(box.dir)).toEqual([]);

    // A schema newer than this program: refused, the database left as it was.
    const url = await fresh();
    await (await openStore(url)).close();
    await rows(url, `UPDATE transfer_bench_schema SET version = ${PG_MIGRATIONS.length + 1}`);
    const newer = cli(box, ['run', TINY_SUITE, '--backend', 'wasm', '--db', url]);
    expect(newer.status).toBe(1);
    expect(newer.stderr.trim()).toBe(
      `transfer-bench: database ${url} has schema version ${PG_MIGRATIONS.length + 1}, newer than this transfer-bench understands (${PG_MIGRATIONS.length}): upgrade transfer-bench or use another --db`,
    );
    expect(await rows(url, 'SELECT COUNT(*)::int AS n FROM suites')).toEqual([{ n: 0 }]);
    expect(await rows(url, 'SELECT version FROM transfer_bench_schema')).toEqual([
      { version: PG_MIGRATIONS.length + 1 },
    ]);
  });

  it('migrate brings a PostgreSQL database up to date and says so without the password', async () => {
    const url = await fresh();
    const withPassword = url.replace('postgres@', 'postgres:hunter2@');
    const migrate = cli(sandbox(), ['migrate', '--db', withPassword]);
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stdout.trim().split('\n')).toEqual([
      `database ${url} is new: creating its tables (schema version ${PG_MIGRATIONS.length})`,
      `database ${url} is up to date (schema version ${PG_MIGRATIONS.length})`,
    ]);
    expect(await rows(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: PG_MIGRATIONS.length }]);
  });

  it('issue 16 defect 10: a worker refuses an older database in one line; migrate waits for the older processes to stop, then says what it does', async () => {
    const url = await fresh();
    await olderPostgresSchema(url, 3);
    const box = sandbox();
    const worker = cli(box, ['worker', '--db', url, '--backend', 'wasm']);
    expect(worker.status).toBe(1);
    // the command is shown as the user ran the program (here `node bin/transfer-bench.js`)
    expect(worker.stderr.trim().split('\n')).toEqual([
      `transfer-bench: database ${url} has schema version 3 and this transfer-bench uses ${PG_MIGRATIONS.length}: a worker never upgrades a database (workers of the older version may still be using it); stop them, run \`node bin/transfer-bench.js migrate --db ${url}\` once, then start the workers again`,
    ]);
    expect(await rows(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: 3 }]);
    // a worker of an older release is still connected (it names itself "transfer-bench")
    const older = new pg.Client({ connectionString: url, application_name: 'transfer-bench' });
    await older.connect();
    try {
      const refused = cli(box, ['migrate', '--db', url]);
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(
        /^transfer-bench: database .* is in use by 1 connection of another transfer-bench version \("transfer-bench" from .*\): it is upgraded from schema version 3 to \d+ only when none is connected; stop those processes/,
      );
      expect(await rows(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: 3 }]);
    } finally {
      await older.end();
    }
    const migrate = cli(box, ['migrate', '--db', url]);
    expect(migrate.status, migrate.stderr).toBe(0);
    const lines = migrate.stdout.trim().split('\n');
    expect(lines[0]).toBe(`database ${url}: upgrading schema version 3 to ${PG_MIGRATIONS.length}:`);
    expect(lines[1]).toMatch(/^ {2}4: the host and worker that ran each trial/);
    expect(lines.at(-1)).toBe(`database ${url} is up to date (schema version ${PG_MIGRATIONS.length})`);
    expect(await rows(url, 'SELECT version FROM transfer_bench_schema')).toEqual([{ version: PG_MIGRATIONS.length }]);
  });
});
