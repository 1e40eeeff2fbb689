import pg from 'pg';
import type { RunEvent } from '../domain.js';
import { errorMessage } from '../errors.js';
import { APPLICATION_NAME } from '../store/pg-connect.js';

/**
 * Live progress of a distributed suite (trial started, each evaluation, pretraining epochs) from the workers to the
 * run that follows it, over PostgreSQL's LISTEN/NOTIFY: nothing to open between machines but the database. Best
 * effort: what counts (a finished trial) is read from the trials table, so a notification lost while the database
 * restarts only leaves a gap in the live display.
 */
export const PROGRESS_CHANNEL = 'transfer_bench_progress';

/** Sends one event; never throws (a lost notification is only a gap in someone's display). */
export async function notifyProgress(pool: pg.Pool, event: RunEvent): Promise<void> {
  try {
    await pool.query('SELECT pg_notify($1, $2)', [PROGRESS_CHANNEL, JSON.stringify(event)]);
  } catch {
    // the database is away; the trial's result is written (and retried) separately
  }
}

/** Listens for one suite's events (null: every suite's) until closed, reconnecting when the connection drops. */
export function listenProgress(
  connectionString: string,
  suiteId: number | null,
  onEvent: (event: RunEvent) => void,
  onProblem: (message: string) => void = () => {},
): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    if (closed) return;
    const fresh = new pg.Client({ connectionString, application_name: `${APPLICATION_NAME} progress` });
    fresh.on('notification', (message) => {
      if (!message.payload) return;
      try {
        const event = JSON.parse(message.payload) as RunEvent;
        if (suiteId === null || event.suiteId === suiteId) onEvent(event);
      } catch {
        // not ours
      }
    });
    const again = (error?: unknown) => {
      if (closed || client !== fresh) return;
      client = null;
      if (error) onProblem(`progress connection lost (${errorMessage(error)}); reconnecting`);
      fresh.end().catch(() => {});
      retry = setTimeout(() => void connect(), 2000);
    };
    fresh.on('error', again);
    fresh.on('end', () => again());
    client = fresh;
    try {
      await fresh.connect();
      await fresh.query(`LISTEN ${PROGRESS_CHANNEL}`);
    } catch (error) {
      again(error);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
