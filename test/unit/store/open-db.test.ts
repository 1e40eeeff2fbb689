import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';

const tempPath = (name = 'results.db') => join(mkdtempSync(join(tmpdir(), 'tb-open-')), name);

describe('openDb', () => {
  it('names the path and the cause when the file is not a database', () => {
    const path = tempPath();
    writeFileSync(path, 'this is not SQLite, just text long enough to have a header of its own........');
    expect(() => openDb(path)).toThrow(
      new RegExp(
        `^database ${path} cannot be opened: file is not a database \\(SQLITE_NOTADB\\); this is not a transfer-bench database`,
      ),
    );
  });

  it('read-only: writes nothing (no WAL switch, no migration) and reads a current database', () => {
    const path = tempPath();
    openDb(path).close();
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const db = openDb(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM suites').get()).toEqual({ n: 0 });
    expect(() => db.exec('DELETE FROM suites')).toThrow(/readonly|query_only|attempt to write/i);
    db.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('read-only: a database that needs a migration is refused with the command that upgrades it, and left as it was', () => {
    const path = tempPath();
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.close();
    const before = readFileSync(path);
    expect(() => openDb(path, { readonly: true })).toThrow(
      `database ${path} was written by an older transfer-bench (schema version 1, this one reads ${MIGRATIONS.length}): upgrade it once with \`transfer-bench migrate --db ${path}\``,
    );
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(old.open).toBe(false);
    // The upgrade keeps what was there and brings the schema up to date.
    openDb(path).close();
    expect(openDb(path, { readonly: true }).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('issue 16 defect 10: with migrate false an older database is refused with the command that upgrades it; an upgrade says what it does', () => {
    const path = tempPath();
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.close();
    expect(() => openDb(path, { migrate: false })).toThrow(
      `database ${path} has schema version 1 and this transfer-bench uses ${MIGRATIONS.length}: a worker never upgrades a database (workers of the older version may still be using it); stop them, run \`transfer-bench migrate --db ${path}\` once, then start the workers again`,
    );
    const unchanged = new Database(path, { readonly: true });
    expect(unchanged.pragma('user_version', { simple: true })).toBe(1);
    unchanged.close();
    const plans: unknown[] = [];
    openDb(path, { onMigrate: (plan) => plans.push(plan) }).close();
    expect(plans).toEqual([
      {
        from: 1,
        to: MIGRATIONS.length,
        steps: MIGRATIONS.slice(1).map((_, i) => expect.stringMatching(new RegExp(`^${i + 2}: `))),
      },
    ]);
    openDb(path, { migrate: false, onMigrate: (plan) => plans.push(plan) }).close();
    expect(plans).toHaveLength(1);
    // an empty file gets its tables
    const empty = tempPath('empty.db');
    openDb(empty, { migrate: false }).close();
    expect(openDb(empty, { readonly: true }).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('read-only: a missing file is an error naming it, and is not created', () => {
    const path = tempPath('missing.db');
    expect(() => openDb(path, { readonly: true })).toThrow(`database ${path} does not exist`);
    expect(existsSync(path)).toBe(false);
  });
});
