import { openDb, type OpenDbOptions } from './open-db.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export type OpenStoreOptions = OpenDbOptions;

/**
 * Opens the results store at `location` and brings its schema up to date (unless `readonly`): a path (or
 * `:memory:`) is an SQLite file, the default. Every failure is a UserError naming the location and the cause.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  return new SqliteStore(openDb(location, options));
}
