import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { checkSchemaVersion, migrationPlan, type MigrationPlan } from './schema-version.js';

export interface OpenDbOptions {
  /** Path to a better_sqlite3.node built for this runtime's ABI (Electron uses its own build). */
  nativeBinding?: string;
  /**
   * Only read (`list`, `export`, `report`): the file must exist and is never written, not even switched to WAL or
   * migrated, so it works on a read-only file or file system. A database that needs a migration is refused with
   * the command that upgrades it.
   */
  readonly?: boolean;
  /**
   * False: a database of an older schema is refused with the command that upgrades it, never migrated (`worker`);
   * an empty one still gets its tables. Default true.
   */
  migrate?: boolean;
  /** Told what an upgrade will do, before it starts (`migrate` prints it); not called when there is nothing to do. */
  onMigrate?: (plan: MigrationPlan) => void;
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? ` (${code})` : '';
};

/** What to do about a database that cannot be opened, by cause. */
function advice(error: unknown, readonly: boolean): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS') {
    return readonly
      ? 'check that the file exists and can be read'
      : 'check that the file and its folder can be written, or give another --db';
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'free disk space, or give another --db';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return 'this is not a transfer-bench database: give another --db';
  if (code === 'SQLITE_BUSY') return 'another process holds it locked; try again when it is done';
  return 'give another --db, or fix the file';
}

/**
 * Opens (creating if needed) the results database with WAL, foreign keys and a busy timeout, and brings its schema
 * up to date; read-only when asked (see OpenDbOptions). Every failure is a UserError naming the path and the cause.
 */
export function openDb(path: string, options: OpenDbOptions = {}): Database.Database {
  const readonly = options.readonly ?? false;
  const memory = path === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (readonly && !memory && !existsSync(path)) {
      throw new UserError(`database ${path} does not exist: run a suite first, or give the right --db`);
    }
    if (!readonly && !memory) mkdirSync(dirname(path), { recursive: true });
    const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
    db = new Database(path, { fileMustExist: readonly, readonly, ...binding });
    db.pragma('busy_timeout = 5000');
    if (readonly && !canRead(db)) {
      db.close();
      db = openSnapshot(path, binding);
    }
    if (readonly) {
      db.pragma('query_only = ON');
      checkSchemaVersion(schemaVersion(db), path, 'read');
    } else {
      db.pragma('foreign_keys = ON');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, path, options);
    }
    return db;
  } catch (error) {
    if (db?.open) db.close();
    if (error instanceof UserError) throw error;
    throw new UserError(
      `database ${path} cannot be ${readonly ? 'read' : 'opened'}: ${errorMessage(error)}${codeOf(error)}; ${advice(error, readonly)}`,
    );
  }
}

/** False when a read-only WAL database cannot be read in place (no -shm file, and none can be made: read-only FS). */
function canRead(db: Database.Database): boolean {
  try {
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CANTOPEN') return false;
    throw error;
  }
}

/**
 * The database read into memory, for a WAL database on a read-only file system (SQLite needs a -shm file beside a
 * WAL database to read it in place). Refused when a -wal file holds changes not yet merged into the database file,
 * since a copy of the file alone would miss them.
 */
function openSnapshot(path: string, binding: { nativeBinding?: string }): Database.Database {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new UserError(
      `database ${path} cannot be read in place (read-only file system) and ${wal} holds changes not yet merged into it: open it once where it can be written (e.g. \`transfer-bench migrate --db ${path}\`), or copy both files to a writable folder`,
    );
  }
  const bytes = readFileSync(path);
  // Bytes 18 and 19 of the header are 2 in WAL mode; 1 (rollback journal) lets SQLite read the copy in memory.
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes.fill(1, 18, 20);
  const db = new Database(bytes, { readonly: true, ...binding });
  db.pragma('busy_timeout = 5000');
  return db;
}

function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the missing migrations, each with its version bump in one IMMEDIATE transaction (two processes may race);
 * under `migrate: false` only those of an empty database.
 */
function migrate(db: Database.Database, path: string, options: OpenDbOptions): void {
  // Checked at the version found first: a worker (`refuse`) may still create the tables of an empty database.
  let started = false;
  for (;;) {
    const applied = db
      .transaction(() => {
        const version = schemaVersion(db);
        checkSchemaVersion(version, path, started || options.migrate !== false ? 'migrate' : 'refuse');
        if (version >= MIGRATIONS.length) return false;
        if (!started) options.onMigrate?.(migrationPlan(version));
        started = true;
        db.exec(MIGRATIONS[version]!);
        db.pragma(`user_version = ${version + 1}`);
        return true;
      })
      .immediate();
    if (!applied) return;
  }
}
