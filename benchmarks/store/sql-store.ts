import { createHash } from 'node:crypto';
import { isSuiteEnded, type EnvironmentInfo, type EpochRecord, type EpochRow, type PretrainRecord } from '../domain.js';
import type { TrialKey, TrialRecord, TrialResult } from '../domain.js';
import type { Params } from './sql-dialect.js';
import { EPOCHS_PER_INSERT, SQL, insertEpochsSql } from './statements.js';
import {
  claimRefusal,
  finite,
  noSuiteError,
  notRunningMessage,
  now,
  resultColumns,
  toEpoch,
  toLease,
  toSuite,
  toTrial,
  type EpochDbRow,
  type LeaseRow,
  type SuiteRow,
  type TrialRow,
} from './store-rows.js';
import {
  INTERRUPTED,
  SuiteNotOwnedError,
  TRIAL_CANCELLED,
  TRIAL_INTERRUPTED,
  TrialNotRunningError,
  type NewSuite,
  type OwnerLiveness,
  type RunOwner,
  type Store,
  type StoredSuite,
  type SuiteOutcome,
  type TrialLease,
  type WorkerName,
} from './store.js';
import { approachColumn } from './stored-sources.js';

/**
 * The Store written once over both databases. Each operation is a generator that yields its statements (`changes`,
 * `rows`) and receives their results; a driver runs it: SQLite's synchronously inside one better-sqlite3 transaction
 * (sqlite-store.ts), PostgreSQL's on one pooled connection between BEGIN and COMMIT (pg-store.ts). So the logic and
 * the SQL (statements.ts) exist once, and SQLite keeps its synchronous transactions: nothing else runs in the process
 * between a read and the write that depends on it.
 */
export interface Step {
  sql: string;
  params: Params;
  /** What the step gives back: the number of rows it changed, or the rows it returned. */
  returns: 'changes' | 'rows';
}

export type Work<T> = Generator<Step, T, unknown>;

export function* changes(sql: string, params: Params = {}): Work<number> {
  return (yield { sql, params, returns: 'changes' }) as number;
}

export function* rows<R>(sql: string, params: Params = {}): Work<R[]> {
  return (yield { sql, params, returns: 'rows' }) as R[];
}

function* row<R>(sql: string, params: Params = {}): Work<R | undefined> {
  return (yield* rows<R>(sql, params))[0];
}

export interface SqlDriver {
  /** For messages: the SQLite file's path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one transaction that holds the write lock before its first read (SQLite: IMMEDIATE; PostgreSQL:
   * the rows it reads with FOR UPDATE), committed when it returns and rolled back when it throws.
   */
  atomic<T>(work: Work<T>): Promise<T>;
  /** Runs `work` with each statement on its own (one statement, or reads that need no snapshot). */
  direct<T>(work: Work<T>): Promise<T>;
  close(): Promise<void>;
}

/** Bytes per chunk of a blob: 16 MiB (a bytea value is limited to 1 GB; smaller rows keep memory and network even). */
export const BLOB_CHUNK_BYTES = 16 * 1024 * 1024;

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function* suite(id: number): Work<StoredSuite | undefined> {
  const found = yield* row<SuiteRow>(SQL.suiteById, { id });
  return found && toSuite(found);
}

/** The suite with its row locked until the transaction ends (PostgreSQL; SQLite's transaction holds the lock). */
function* lockedSuite(id: number): Work<StoredSuite | undefined> {
  if ((yield* rows(SQL.lockSuite, { id })).length !== 1) return undefined;
  return yield* suite(id);
}

function* claim(id: number, owner: RunOwner): Work<void> {
  yield* changes(SQL.claimSuite, { id, ...owner, now: Date.now() });
}

function* createSuite(input: NewSuite): Work<number> {
  const inserted = yield* row<{ id: number }>(SQL.insertSuite, {
    name: input.spec.name,
    spec: JSON.stringify(input.spec),
    baseDir: input.baseDir,
    backendChoice: input.backendChoice,
    env: JSON.stringify(input.env),
    createdAt: now(),
  });
  const suiteId = Number(inserted!.id);
  // One by one, so that ids follow the planned order (listTrials returns trials by id).
  for (const key of input.trials) {
    yield* changes(SQL.insertTrial, {
      suiteId,
      approach: approachColumn(key),
      trainSize: key.trainSize,
      seed: key.seed,
    });
  }
  yield* claim(suiteId, input.owner);
  return suiteId;
}

function* claimSuite(
  id: number,
  owner: RunOwner,
  options: { isAlive: OwnerLiveness; force?: boolean },
): Work<StoredSuite> {
  const before = yield* lockedSuite(id);
  if (!before) throw noSuiteError(id);
  const refusal = claimRefusal(id, before, owner, options);
  if (refusal) throw refusal;
  yield* claim(id, owner);
  return before;
}

function* releaseSuite(id: number, token: string, outcome: SuiteOutcome): Work<boolean> {
  const changed = yield* changes(SQL.releaseSuite, {
    id,
    token,
    status: outcome.status,
    error: outcome.error ?? null,
    finishedAt: outcome.finishedAt !== undefined ? outcome.finishedAt : isSuiteEnded(outcome.status) ? now() : null,
  });
  if (changed === 1) yield* changes(SQL.cancelRunningTrials, { suiteId: id, error: TRIAL_CANCELLED });
  return changed === 1;
}

function* recoverSuite(id: number, isAlive: OwnerLiveness): Work<boolean> {
  const found = yield* lockedSuite(id);
  if (found?.status !== 'running' || (found.owner && isAlive(found.owner))) return false;
  yield* changes(SQL.cancelRunningTrials, { suiteId: id, error: TRIAL_INTERRUPTED });
  yield* changes(SQL.interruptSuite, { id, now: now(), error: INTERRUPTED });
  return true;
}

function* resetUnfinishedTrials(suiteId: number, token: string, retryFailed: boolean): Work<void> {
  if ((yield* lockedSuite(suiteId))?.owner?.token !== token) {
    throw new SuiteNotOwnedError(`suite ${suiteId} is not held by this run`);
  }
  const params = { suiteId, retryFailed: retryFailed ? 1 : 0 };
  yield* changes(SQL.deleteUnfinishedEpochs, params);
  yield* changes(SQL.resetUnfinished, params);
}

function* addTrials(suiteId: number, token: string, keys: readonly TrialKey[]): Work<number[]> {
  if ((yield* lockedSuite(suiteId))?.owner?.token !== token) {
    throw new SuiteNotOwnedError(`suite ${suiteId} is not held by this run`);
  }
  const before = new Set((yield* rows<TrialRow>(SQL.trialsOfSuite, { suiteId })).map((r) => r.id));
  for (const key of keys) {
    yield* changes(SQL.insertTrial, {
      suiteId,
      approach: approachColumn(key),
      trainSize: key.trainSize,
      seed: key.seed,
    });
  }
  const after = (yield* rows<TrialRow>(SQL.trialsOfSuite, { suiteId })).map((r) => r.id);
  return after.filter((id) => !before.has(id));
}

function epochParams(trialId: number, epochs: readonly EpochRecord[]): Params {
  const params: Record<string, number | null> = { trialId };
  epochs.forEach((e, i) => {
    params[`epoch_${i}`] = e.epoch;
    params[`step_${i}`] = e.step;
    params[`trainLoss_${i}`] = finite(e.trainLoss);
    params[`trainAccuracy_${i}`] = finite(e.trainAccuracy);
    params[`valLoss_${i}`] = finite(e.valLoss);
    params[`valAccuracy_${i}`] = finite(e.valAccuracy);
    params[`elapsed_${i}`] = e.elapsedSeconds;
  });
  return params;
}

function* finishTrial(id: number, token: string, result: TrialResult): Work<void> {
  if ((yield* changes(SQL.finishTrial, { id, token, ...resultColumns(result) })) !== 1) {
    throw new TrialNotRunningError(notRunningMessage(id));
  }
  yield* changes(SQL.deleteEpochs, { id });
  for (let start = 0; start < result.epochRecords.length; start += EPOCHS_PER_INSERT) {
    const batch = result.epochRecords.slice(start, start + EPOCHS_PER_INSERT);
    yield* changes(insertEpochsSql(batch.length), epochParams(id, batch));
  }
}

function* putBlob(hash: string, bytes: Uint8Array): Work<boolean> {
  const chunks = Math.max(1, Math.ceil(bytes.byteLength / BLOB_CHUNK_BYTES));
  // A concurrent writer of the same blob makes this wait (PostgreSQL) or go after it (SQLite), then skip.
  const inserted = yield* changes(SQL.insertBlob, { hash, size: bytes.byteLength, chunks, createdAt: now() });
  if (inserted !== 1) return false;
  for (let chunk = 0; chunk < chunks; chunk++) {
    const part = bytes.subarray(chunk * BLOB_CHUNK_BYTES, (chunk + 1) * BLOB_CHUNK_BYTES);
    yield* changes(SQL.insertBlobChunk, { hash, chunk, data: Buffer.from(part.buffer, part.byteOffset, part.length) });
  }
  return true;
}

function* getBlob(hash: string): Work<Buffer> {
  const head = yield* row<{ size: number; chunks: number }>(SQL.blobHead, { hash });
  if (!head) throw new Error(`blob ${hash} is not in the database`);
  const parts: Buffer[] = [];
  for (let chunk = 0; chunk < head.chunks; chunk++) {
    const data = (yield* row<{ data: Buffer }>(SQL.blobChunk, { hash, chunk }))?.data;
    if (!data) throw new Error(`blob ${hash} is missing its chunk ${chunk}`);
    parts.push(data);
  }
  const bytes = Buffer.concat(parts);
  if (bytes.length !== Number(head.size) || sha256(bytes) !== hash) {
    throw new Error(`blob ${hash} does not match its hash: the database copy is damaged`);
  }
  return bytes;
}

/** See Store for the contract; the subclasses (SqliteStore, PgStore) give the driver and how to open one. */
export class SqlStore implements Store {
  constructor(private readonly db: SqlDriver) {}

  get location(): string {
    return this.db.location;
  }

  async createSuite(input: NewSuite): Promise<number> {
    return this.db.atomic(createSuite(input));
  }

  async claimSuite(
    id: number,
    owner: RunOwner,
    options: { isAlive: OwnerLiveness; force?: boolean },
  ): Promise<StoredSuite> {
    return this.db.atomic(claimSuite(id, owner, options));
  }

  async heartbeat(id: number, token: string): Promise<boolean> {
    return (await this.db.direct(changes(SQL.heartbeat, { id, token, now: Date.now() }))) === 1;
  }

  async releaseSuite(id: number, token: string, outcome: SuiteOutcome): Promise<boolean> {
    return this.db.atomic(releaseSuite(id, token, outcome));
  }

  async recoverInterruptedSuites(isAlive: OwnerLiveness): Promise<number[]> {
    const recovered: number[] = [];
    for (const { id } of await this.db.direct(rows<{ id: number }>(SQL.runningSuiteIds))) {
      if (await this.db.atomic(recoverSuite(id, isAlive))) recovered.push(id);
    }
    return recovered;
  }

  async getSuite(id: number): Promise<StoredSuite | undefined> {
    return this.db.direct(suite(id));
  }

  async requireSuite(id: number): Promise<StoredSuite> {
    const found = await this.getSuite(id);
    if (!found) throw noSuiteError(id);
    return found;
  }

  async listSuites(): Promise<StoredSuite[]> {
    return (await this.db.direct(rows<SuiteRow>(SQL.allSuites))).map(toSuite);
  }

  async setSuiteEnv(id: number, env: EnvironmentInfo): Promise<void> {
    await this.db.direct(changes(SQL.setSuiteEnv, { id, env: JSON.stringify(env) }));
  }

  async setSuitePretrain(id: number, pretrain: PretrainRecord | PretrainRecord[]): Promise<void> {
    await this.db.direct(changes(SQL.setSuitePretrain, { id, pretrain: JSON.stringify(pretrain) }));
  }

  async listTrials(suiteId: number): Promise<TrialRecord[]> {
    return (await this.db.direct(rows<TrialRow>(SQL.trialsOfSuite, { suiteId }))).map(toTrial);
  }

  async getTrial(id: number): Promise<TrialRecord | undefined> {
    const found = await this.db.direct(row<TrialRow>(SQL.trialById, { id }));
    return found && toTrial(found);
  }

  async markTrialRunning(id: number, token: string): Promise<boolean> {
    return (await this.db.direct(changes(SQL.markTrialRunning, { id, token, startedAt: now() }))) === 1;
  }

  async trialHeartbeat(id: number, token: string): Promise<boolean> {
    return (await this.db.direct(changes(SQL.trialHeartbeat, { id, token, now: Date.now() }))) === 1;
  }

  async listTrialLeases(suiteId: number): Promise<TrialLease[]> {
    return (await this.db.direct(rows<LeaseRow>(SQL.trialLeases, { suiteId }))).map(toLease);
  }

  async handBackTrial(id: number, token: string): Promise<boolean> {
    return (await this.db.direct(changes(SQL.handBackTrial, { id, token }))) === 1;
  }

  async markTrialCancelled(id: number, token: string, error = TRIAL_CANCELLED): Promise<void> {
    await this.db.direct(changes(SQL.cancelTrial, { id, token, error }));
  }

  async resetUnfinishedTrials(suiteId: number, token: string, options: { retryFailed?: boolean } = {}): Promise<void> {
    await this.db.atomic(resetUnfinishedTrials(suiteId, token, options.retryFailed ?? false));
  }

  async addTrials(suiteId: number, token: string, keys: readonly TrialKey[]): Promise<TrialRecord[]> {
    const ids = new Set(await this.db.atomic(addTrials(suiteId, token, keys)));
    return (await this.listTrials(suiteId)).filter((t) => ids.has(t.id));
  }

  async finishTrial(id: number, token: string, result: TrialResult): Promise<void> {
    await this.db.atomic(finishTrial(id, token, result));
  }

  async listEpochs(suiteId: number, trainSize?: number): Promise<EpochRow[]> {
    const found = await this.db.direct(rows<EpochDbRow>(SQL.epochsOfSuite, { suiteId, trainSize: trainSize ?? null }));
    return found.map(toEpoch);
  }

  async claimTrialForJob(
    id: number,
    token: string,
    worker: WorkerName,
    options: { countAttempt?: boolean; runToken?: string } = {},
  ): Promise<number | null> {
    const claimed = await this.db.direct(
      row<{ attempts: number }>(SQL.claimTrialForJob, {
        id,
        token,
        startedAt: now(),
        host: worker.host,
        name: worker.name,
        countAttempt: options.countAttempt === false ? 0 : 1,
        runToken: options.runToken ?? null,
      }),
    );
    return claimed ? Number(claimed.attempts) : null;
  }

  async recordTrialWorker(id: number, worker: WorkerName): Promise<void> {
    await this.db.direct(changes(SQL.recordTrialWorker, { id, host: worker.host, name: worker.name }));
  }

  async findPretrained(cacheKey: string): Promise<{ blobHash: string; recordJson: string } | null> {
    const found = await this.db.direct(
      row<{ blob_hash: string; record_json: string }>(SQL.findPretrained, { cacheKey }),
    );
    return found ? { blobHash: found.blob_hash, recordJson: found.record_json } : null;
  }

  async recordPretrained(cacheKey: string, blobHash: string, recordJson: string): Promise<void> {
    await this.db.direct(changes(SQL.recordPretrained, { cacheKey, blobHash, recordJson }));
  }

  async hasBlob(hash: string): Promise<boolean> {
    return (await this.db.direct(rows(SQL.hasBlob, { hash }))).length === 1;
  }

  async putBlob(bytes: Uint8Array): Promise<{ hash: string; uploaded: boolean }> {
    const hash = sha256(bytes);
    if (await this.hasBlob(hash)) return { hash, uploaded: false };
    return { hash, uploaded: await this.db.atomic(putBlob(hash, bytes)) };
  }

  async getBlob(hash: string): Promise<Buffer> {
    return this.db.direct(getBlob(hash));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
