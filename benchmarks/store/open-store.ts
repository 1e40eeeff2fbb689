import { openDb, type OpenDbOptions } from './open-db.js';
import { UserError } from '../errors.js';
import { displayLocation, isPostgresUrl } from './location.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export type OpenStoreOptions = OpenDbOptions;

export { displayLocation };

/**
 * Opens the results store at `location` and brings its schema up to date (unless `readonly`, which only reads and
 * refuses a schema that is not this program's): a `postgres://` or `postgresql://` URL is a shared PostgreSQL
 * database (PgStore); anything else is the path of an SQLite file (SqliteStore, the default; `:memory:` too).
 * Every failure is one UserError naming the location (never its password), the cause and what to do.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) {
    // the PostgreSQL driver loads only for a PostgreSQL database
    const [{ checkPostgresUrl }, { PgStore }] = await Promise.all([import('./pg-connect.js'), import('./pg-store.js')]);
    checkPostgresUrl(location);
    return PgStore.open(location, { ...options, readonly: options.readonly ?? false });
  }
  // Another scheme is a mistyped URL, not a file to create (postgress://… would become a folder named so).
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme) {
    throw new UserError(
      `--db ${location.replace(/\/\/[^@/]*@/, '//…@')}: ${scheme[1]}:// is not a database this program opens; give postgres://user@host/database for PostgreSQL, or the path of an SQLite file`,
    );
  }
  return new SqliteStore(openDb(location, options));
}
