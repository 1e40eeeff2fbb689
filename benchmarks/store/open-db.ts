import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export interface OpenDbOptions {
  /** Path to a better_sqlite3.node built for this runtime's ABI (Electron uses its own build). */
  nativeBinding?: string;
  readonly?: boolean;
}

/** Opens (creating if needed) the results database with WAL, foreign keys and a busy timeout, and brings its schema up to date. */
export function openDb(path: string, options: OpenDbOptions = {}): Database.Database {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, {
      fileMustExist: options.readonly ?? false,
      readonly: options.readonly ?? false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    throw new UserError(`database ${path} cannot be opened: ${(error as Error).message}`);
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
  }
  return db;
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new UserError(
      `database ${path} has schema version ${version}, newer than this transfer-bench understands (${MIGRATIONS.length}): upgrade transfer-bench or use another --db`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
