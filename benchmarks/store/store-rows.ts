/**
 * The database rows of suites, trials and epochs as both stores read them (same column names in SQLite and
 * PostgreSQL), and their mapping to the engine's records: one mapping, so that both stores return identical records.
 */
import {
  FINISHED_TRIAL_STATUSES,
  type EnvironmentInfo,
  type EpochRow,
  type LearningRateCandidate,
  type SuiteStatus,
  type TrialProtocol,
  type TrialRecord,
  type TrialResult,
  type TrialStatus,
} from '../domain.js';
import type { BackendChoice } from '../domain.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import { UserError } from '../errors.js';
import { describeOwner, type RunOwner, type StoredSuite, type SuiteOwner, type TrialLease } from './store.js';
import { decodePretrains, fromApproachColumn } from './stored-sources.js';

export interface SuiteRow {
  id: number;
  name: string;
  status: SuiteStatus;
  spec_json: string;
  base_dir: string;
  backend_choice: string;
  env_json: string;
  pretrain_json: string | null;
  runner_pid: number | null;
  owner_token: string | null;
  owner_host: string | null;
  owner_scope: string | null;
  owner_process_start: string | null;
  heartbeat_at: number | null;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  trials_total: number;
  trials_finished: number;
}

export interface TrialRow {
  id: number;
  suite_id: number;
  /** The approach, and its source in a suite with several (see stored-sources.ts). */
  approach: string;
  train_size: number;
  seed: number;
  status: TrialStatus;
  test_accuracy: number | null;
  test_loss: number | null;
  epochs: number | null;
  best_epoch: number | null;
  steps: number | null;
  wall_seconds: number | null;
  cpu_seconds: number | null;
  trainable_params: number | null;
  total_params: number | null;
  train_flops: number | null;
  peak_bytes: number | null;
  learning_rate: number | null;
  lr_candidates_json: string | null;
  protocol_json: string | null;
  backend: TrialRecord['backend'];
  device: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  worker_host: string | null;
  worker_name: string | null;
  attempts: number;
}

export interface EpochDbRow {
  trial_id: number;
  /** The approach, and its source in a suite with several (see stored-sources.ts). */
  approach: string;
  train_size: number;
  seed: number;
  epoch: number;
  step: number;
  train_loss: number | null;
  train_accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  elapsed_seconds: number;
}

/** Timestamps are ISO 8601 text in UTC, in both stores. */
export const now = (): string => new Date().toISOString();

/** Neither database keeps NaN in our columns: a diverged loss is stored as NULL. */
export const finite = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

/** An SQL list of our own constant status names (never of user input). */
const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
export const FINISHED_SQL = sqlList(FINISHED_TRIAL_STATUSES);

/** The suite columns with the trial counts, as both stores select them (`s` is the suites table). */
export const SUITE_COLUMNS = `s.*,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id) AS trials_total,
  (SELECT COUNT(*) FROM trials t WHERE t.suite_id = s.id AND t.status IN (${FINISHED_SQL})) AS trials_finished`;

/** A trial's result as the columns finishTrial writes (JSON as text, so that both stores keep identical bytes). */
export function resultColumns(result: TrialResult) {
  return {
    status: result.status,
    testAccuracy: finite(result.testAccuracy),
    testLoss: finite(result.testLoss),
    epochs: result.epochs,
    bestEpoch: result.bestEpoch,
    steps: result.steps,
    wallSeconds: result.wallSeconds,
    cpuSeconds: result.cpuSeconds,
    trainableParams: result.trainableParams,
    totalParams: result.totalParams,
    trainFlops: result.trainFlops,
    peakBytes: result.peakBytes,
    learningRate: result.learningRate,
    lrCandidates: result.lrCandidates.length > 0 ? JSON.stringify(result.lrCandidates) : null,
    protocol: result.protocol ? JSON.stringify(result.protocol) : null,
    backend: result.backend,
    device: result.device,
    error: result.error,
    finishedAt: now(),
  };
}

export function notRunningMessage(id: number): string {
  return `trial ${id} is not running for this run (finished already, or taken by another run): its result is not written again`;
}

export function noSuiteError(id: number): UserError {
  return new UserError(`no suite with id ${id} in this database (see \`transfer-bench list\`)`);
}

/** Why `claimSuite` refuses, or null when `owner` may take the suite (see Store.claimSuite). */
export function claimRefusal(
  id: number,
  before: StoredSuite,
  owner: RunOwner,
  options: { isAlive: (owner: SuiteOwner) => boolean; force?: boolean },
): UserError | null {
  const holder = before.status === 'running' ? before.owner : null;
  if (holder && holder.token !== owner.token && options.isAlive(holder) && !options.force) {
    return new UserError(
      `suite ${id} is already being run (${describeOwner(holder)}); cancel that run first, or take it over with \`transfer-bench resume ${id} --force\` if it is stuck`,
    );
  }
  return null;
}

export function toSuite(row: SuiteRow): StoredSuite {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    spec: JSON.parse(row.spec_json) as SuiteSpec,
    env: JSON.parse(row.env_json) as EnvironmentInfo,
    ...decodePretrains(row.pretrain_json),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error,
    trialsTotal: row.trials_total,
    trialsFinished: row.trials_finished,
    baseDir: row.base_dir,
    backendChoice: row.backend_choice as BackendChoice,
    owner: toOwner(row),
  };
}

/** The holder of a suite; a suite left `running` by a version before owners were recorded has one with no heartbeat. */
function toOwner(row: SuiteRow): SuiteOwner | null {
  if (row.status !== 'running') return null;
  return {
    token: row.owner_token ?? '',
    host: row.owner_host ?? '',
    scope: row.owner_scope ?? '',
    pid: row.runner_pid ?? 0,
    processStart: row.owner_process_start ?? '',
    heartbeatAt: row.heartbeat_at,
  };
}

export function toTrial(row: TrialRow): TrialRecord {
  return {
    id: row.id,
    suiteId: row.suite_id,
    ...fromApproachColumn(row.approach),
    trainSize: row.train_size,
    seed: row.seed,
    status: row.status,
    testAccuracy: row.test_accuracy,
    testLoss: row.test_loss,
    epochs: row.epochs,
    bestEpoch: row.best_epoch,
    steps: row.steps,
    wallSeconds: row.wall_seconds,
    cpuSeconds: row.cpu_seconds,
    trainableParams: row.trainable_params,
    totalParams: row.total_params,
    trainFlops: row.train_flops,
    peakBytes: row.peak_bytes,
    learningRate: row.learning_rate,
    lrCandidates: row.lr_candidates_json ? (JSON.parse(row.lr_candidates_json) as LearningRateCandidate[]) : [],
    protocol: row.protocol_json ? (JSON.parse(row.protocol_json) as TrialProtocol) : null,
    backend: row.backend,
    device: row.device,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    worker:
      row.worker_host !== null && row.worker_name !== null
        ? { host: row.worker_host, name: row.worker_name, attempts: Number(row.attempts) }
        : null,
  };
}

export function toEpoch(r: EpochDbRow): EpochRow {
  return {
    trialId: r.trial_id,
    ...fromApproachColumn(r.approach),
    trainSize: r.train_size,
    seed: r.seed,
    epoch: r.epoch,
    step: r.step,
    trainLoss: r.train_loss ?? Number.NaN,
    trainAccuracy: r.train_accuracy ?? Number.NaN,
    valLoss: r.val_loss ?? Number.NaN,
    valAccuracy: r.val_accuracy ?? Number.NaN,
    elapsedSeconds: r.elapsed_seconds,
  };
}

/** A running trial's lease columns (listTrialLeases). */
export interface LeaseRow {
  id: number;
  run_token: string;
  heartbeat_at: number | string | null;
  worker_host: string | null;
  worker_name: string | null;
}

export function toLease(row: LeaseRow): TrialLease {
  return {
    id: Number(row.id),
    token: row.run_token,
    // PostgreSQL returns a bigint as a string
    heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at),
    worker:
      row.worker_host !== null && row.worker_name !== null ? { host: row.worker_host, name: row.worker_name } : null,
  };
}
