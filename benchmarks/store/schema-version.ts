/**
 * What a program does with a database of another schema version, the same for SQLite and PostgreSQL: the checks
 * and their one-line messages (open-db.ts and pg-connect.ts call them), and what `migrate` says it will do.
 */
import { UserError } from '../errors.js';
import { SCHEMA } from './migrations.js';

/** The schema version this program reads and writes. */
export const SCHEMA_VERSION = SCHEMA.length;

/**
 * How a process treats a database whose schema is older than its own:
 * - `migrate`: upgrades it (run, resume, serve, the app, `migrate`);
 * - `refuse`: never changes it, only creates the schema of an empty database (`worker`: workers of the older version
 *   may still be running on it, so only an explicit `migrate` upgrades it);
 * - `read`: never writes, not even to create (list, export, report).
 */
export type SchemaPolicy = 'migrate' | 'refuse' | 'read';

/** What an upgrade will do, told before it starts (`migrate` prints it). */
export interface MigrationPlan {
  from: number;
  to: number;
  /** One line per migration applied, "4: …". */
  steps: string[];
}

export function migrationPlan(from: number): MigrationPlan {
  const steps = [];
  for (let version = from; version < SCHEMA_VERSION; version++) {
    steps.push(`${version + 1}: ${SCHEMA[version]!.summary}`);
  }
  return { from, to: SCHEMA_VERSION, steps };
}

/** "database X: schema version 3 → 4, 4: …", or "…: a new database: creating its tables (schema version 4)". */
export function describePlan(where: string, plan: MigrationPlan): string[] {
  if (plan.from === 0) return [`database ${where} is new: creating its tables (schema version ${plan.to})`];
  return [
    `database ${where}: upgrading schema version ${plan.from} to ${plan.to}:`,
    ...plan.steps.map((s) => `  ${s}`),
  ];
}

/**
 * Refuses a version this process may not use under `policy`, with one line that names the database, both versions
 * and what to do; returns normally when the process may go on (and, under `migrate`, upgrade).
 */
export function checkSchemaVersion(version: number, where: string, policy: SchemaPolicy): void {
  if (version > SCHEMA_VERSION) {
    throw new UserError(
      `database ${where} has schema version ${version}, newer than this transfer-bench understands (${SCHEMA_VERSION}): upgrade transfer-bench or use another --db`,
    );
  }
  if (policy === 'read' && version === 0) {
    throw new UserError(`database ${where} is empty: run a suite first, or give the right --db`);
  }
  if (policy === 'read' && version < SCHEMA_VERSION) {
    throw new UserError(
      `database ${where} was written by an older transfer-bench (schema version ${version}, this one reads ${SCHEMA_VERSION}): upgrade it once with \`transfer-bench migrate --db ${where}\` (it keeps every result), then run this again`,
    );
  }
  if (policy === 'refuse' && version > 0 && version < SCHEMA_VERSION) {
    throw new UserError(
      `database ${where} has schema version ${version} and this transfer-bench uses ${SCHEMA_VERSION}: a worker never upgrades a database (workers of the older version may still be using it); stop them, run \`transfer-bench migrate --db ${where}\` once, then start the workers again`,
    );
  }
}
