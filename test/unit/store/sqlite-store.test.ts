import type Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITE_STATUSES, TRIAL_STATUSES } from '../../../benchmarks/domain.js';
import { MIGRATIONS } from '../../../benchmarks/store/migrations.js';
import { openDb } from '../../../benchmarks/store/open-db.js';

function freshStore(): { path: string; db: Database.Database } {
  const path = join(mkdtempSync(join(tmpdir(), 'tb-store-')), 'results.db');
  return { path, db: openDb(path) };
}

/** What only the SQLite store has; the contract both stores keep is in store-contract.test.ts. */
describe('SqliteStore', () => {
  it('sets WAL, foreign keys and the schema version', async () => {
    const { db } = freshStore();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database from a newer version, naming the fix', async () => {
    const { path, db } = freshStore();
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDb(path)).toThrow(/newer than this transfer-bench understands/);
  });

  it('the schema allows exactly the statuses domain.ts defines', async () => {
    const { db } = freshStore();
    const checkOf = (table: string): string[] => {
      const { sql } = db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(table) as { sql: string };
      const list = /status TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(sql)![1]!;
      return list.split(',').map((s) => s.trim().replace(/'/g, ''));
    };
    expect(checkOf('trials')).toEqual([...TRIAL_STATUSES]);
    expect(checkOf('suites')).toEqual([...SUITE_STATUSES]);
  });
});
