import { errorMessage } from '../errors.js';
import type { Store } from '../store/store.js';

/**
 * The result of a trial could not be written (e.g. a full disk): not the trial's failure. The trial is left
 * unfinished, so that `resume` runs it again, and the run stops.
 */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** What could not be stored where, what that leaves, and what to do once the database can be written again. */
export function storageFailure(what: string, consequence: string, suiteId: number, store: Store, error: unknown) {
  const code = (error as { code?: unknown }).code;
  return (
    `could not store ${what} in ${store.location}: ${errorMessage(error)}${typeof code === 'string' ? ` (${code})` : ''}. ` +
    `${consequence}; once the database can be written again (free disk space), ` +
    `run \`transfer-bench resume ${suiteId}\` to finish the suite`
  );
}

/** Runs a store write outside a trial; a failure becomes a StorageError that names the database and what to do. */
export async function storing(what: string, suiteId: number, store: Store, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new StorageError(storageFailure(what, 'The suite stopped before running its trials', suiteId, store, error));
  }
}
