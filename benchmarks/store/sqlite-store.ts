import type Database from 'better-sqlite3';
import { compileSql, parameterValues } from './sql-dialect.js';
import { SqlStore, type SqlDriver, type Step, type Work } from './sql-store.js';

/**
 * Runs the store's work on one SQLite file (better-sqlite3, opened by open-db.ts) synchronously: an `atomic` piece of
 * work is one IMMEDIATE transaction (it takes the write lock first, so two processes cannot both pass a check), and
 * returns a settled promise. Statements are prepared once.
 */
class SqliteDriver implements SqlDriver {
  private readonly prepared = new Map<string, { statement: Database.Statement; names: readonly string[] }>();

  constructor(private readonly db: Database.Database) {}

  get location(): string {
    return this.db.name;
  }

  private run(step: Step): unknown {
    let prepared = this.prepared.get(step.sql);
    if (!prepared) {
      const { text, names } = compileSql(step.sql, 'sqlite');
      prepared = { statement: this.db.prepare(text), names };
      this.prepared.set(step.sql, prepared);
    }
    const values = parameterValues(prepared.names, step.params);
    const bound = prepared.names.length > 0 ? [Object.fromEntries(prepared.names.map((n, i) => [n, values[i]]))] : [];
    return step.returns === 'rows' ? prepared.statement.all(...bound) : prepared.statement.run(...bound).changes;
  }

  private drive<T>(work: Work<T>): T {
    let next = work.next();
    while (!next.done) next = work.next(this.run(next.value));
    return next.value;
  }

  async atomic<T>(work: Work<T>): Promise<T> {
    return this.db.transaction(() => this.drive(work)).immediate();
  }

  async direct<T>(work: Work<T>): Promise<T> {
    return this.drive(work);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The Store in one SQLite file: the default, with no server to run (see Store and SqlStore). */
export class SqliteStore extends SqlStore {
  constructor(db: Database.Database) {
    super(new SqliteDriver(db));
  }
}
