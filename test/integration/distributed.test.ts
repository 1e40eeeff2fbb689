import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrialQueue } from '../../benchmarks/distributed/trial-queue.js';
import { scaled } from '../support/machine-load.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { requireSystem } from '../support/system.js';
import { cli, cliAsync, query, reducedQuick, sandbox, type Sandbox } from './cli-helpers.js';

/**
 * Distributed runs end to end: a real PostgreSQL server, `transfer-bench worker` processes and a
 * `run --distributed`, all as a user starts them. Each process has its own cache folder: nothing is shared but the
 * database.
 *
 * The suite is `quick` reduced to one seed, two sizes and one pretraining epoch (8 trials of every approach, as the
 * chaos test runs), and here to one learning rate per approach (the first of quick's three: a trial trains once, not
 * three times): enough for each worker to finish a trial and start another, for one to be killed mid-trial and for
 * the accuracies to be compared trial by trial with a local run. TB_DIST_SUITE=quick runs the whole of quick
 * (24 trials, three learning rates each, run twice).
 */
const hasPostgres = requireSystem('postgresql');

/** `reducedQuick` with each approach's list of learning rates cut to its first; `quick` itself when `full`. */
function oneRateQuick(box: Sandbox, full: boolean): string {
  const path = reducedQuick(box, full);
  if (full) return path;
  const spec = JSON.parse(readFileSync(path, 'utf8')) as {
    approaches: Record<string, { learningRate: number | number[] }>;
  };
  for (const approach of Object.values(spec.approaches)) {
    if (Array.isArray(approach.learningRate)) approach.learningRate = approach.learningRate[0]!;
  }
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

interface Output {
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): Output {
  const out: Output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return out;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function until(check: () => boolean, what: string, logs: Output[], idleTimeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + scaled(idleTimeoutMs);
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; output:\n${logs.map((l) => l.stderr).join('\n---\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface TrialRow {
  id: number;
  approach: string;
  train_size: number;
  seed: number;
  status: string;
  test_accuracy: number | null;
  attempts: number;
  worker_host: string | null;
  worker_name: string | null;
}

describe.runIf(hasPostgres)('distributed runs on PostgreSQL with transfer-bench worker', () => {
  let server: PostgresServer;
  const children: ChildProcess[] = [];

  const worker = (box: Sandbox, url: string, extra: string[] = []) => {
    const child = cliAsync(box, ['worker', '--db', url, '--backend', 'wasm', '--workers', '1', ...extra]);
    children.push(child);
    return { child, out: collect(child) };
  };

  async function rows<T>(url: string, sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.stop();
  });

  it('refuses a worker whose backend cannot load, or whose database has another schema version, before it takes a job', async () => {
    const url = await server.createDatabase('refusals');
    const box = sandbox();
    const migrate = cli(box, ['migrate', '--db', url]);
    expect(migrate.status, migrate.stderr).toBe(0);
    const queue = await TrialQueue.open(url);
    try {
      await queue.enqueue(
        [{ kind: 'trial', suiteId: 1, trialId: 1, taskHash: 'f'.repeat(64), base: null, runToken: 'run' }],
        {
          expireInSeconds: 60,
          retryLimit: 0,
        },
      );
      const badBackend = cli(box, ['worker', '--db', url, '--backend', 'tensorflow']);
      expect(badBackend.status).toBe(1);
      expect(badBackend.stderr.trim().split('\n')).toHaveLength(1);
      expect(badBackend.stderr).toMatch(/^transfer-bench: .*tensorflow/);

      const [current] = await rows<{ version: number }>(url, 'SELECT version FROM transfer_bench_schema');
      const version = current!.version;
      await rows(url, `UPDATE transfer_bench_schema SET version = ${version + 1}`);
      const newer = cli(box, ['worker', '--db', url, '--backend', 'wasm']);
      expect(newer.status).toBe(1);
      expect(newer.stderr.trim().split('\n')).toHaveLength(1);
      expect(newer.stderr).toMatch(/schema version/);

      const jobs = await queue.openJobs(1);
      expect(jobs.map((j) => j.state)).toEqual(['created']);
    } finally {
      await queue.close();
    }
  });

  it(
    'runs quick (reduced) on two workers, each trial once, as a local run does; a worker killed mid-trial loses nothing',
    async () => {
      const started = Date.now();
      const local = sandbox();
      const suite = oneRateQuick(local, process.env.TB_DIST_SUITE === 'quick');

      const url = await server.createDatabase('quick');
      const a = worker(sandbox(), url);
      const b = worker(sandbox(), url);
      const coordinator = sandbox();
      const run = cliAsync(coordinator, [
        'run',
        suite,
        '--db',
        url,
        '--distributed',
        '--backend',
        'wasm',
        '--trial-timeout',
        '30',
      ]);
      children.push(run);
      const runOut = collect(run);

      // The first worker to start a trial after finishing one is killed (SIGKILL) at once, in the middle of that trial:
      // the kill is sent from the listener that sees the line, before the trial (≥ 0.2 s of training) can end.
      const killed = new Promise<{ worker: typeof a; survivor: typeof a; trialId: number }>((resolve) => {
        let done = false;
        for (const [w, other] of [
          [a, b],
          [b, a],
        ] as const) {
          let finishedOne = false;
          w.child.stderr!.on('data', (chunk: Buffer) => {
            for (const text of chunk.toString().split('\n')) {
              if (/: done, test accuracy/.test(text)) finishedOne = true;
              const start = /trial (\d+) of suite \d+ .*: started/.exec(text);
              if (start && finishedOne && !done) {
                done = true;
                w.child.kill('SIGKILL');
                resolve({ worker: w, survivor: other, trialId: Number(start[1]) });
              }
            }
          });
        }
      });
      let found = false;
      void killed.then(() => (found = true));
      await until(() => found || run.exitCode !== null, 'a worker to start its second trial', [a.out, b.out, runOut]);
      if (!found)
        throw new Error(
          `the run ended before a worker started its second trial:\n${a.out.stderr}\n---\n${b.out.stderr}`,
        );
      const victim = await killed;

      // The reference, the same suite run locally on SQLite with the same backend and seeds, runs while the run waits
      // out the killed worker's silence (--trial-timeout) before handing its trial over.
      const localStarted = Date.now();
      const localRun = cliAsync(local, ['run', suite, '--backend', 'wasm', '--workers', '2']);
      children.push(localRun);
      const localOut = collect(localRun);

      await until(() => run.exitCode !== null, 'the run to end', [a.out, b.out, runOut]);
      const status = run.exitCode;
      expect(status, runOut.stderr).toBe(0);
      const distributedSeconds = (Date.now() - started) / 1000;
      expect(await exited(localRun), localOut.stderr).toBe(0);
      const reference = query<TrialRow>(local.db, 'SELECT * FROM trials ORDER BY id');
      const localSeconds = (Date.now() - localStarted) / 1000;

      const trials = await rows<TrialRow>(url, 'SELECT * FROM trials ORDER BY id');
      expect(trials).toHaveLength(reference.length);
      expect(trials.every((t) => t.status === 'done')).toBe(true);
      // one row per trial key (the store's unique key) and one curve per trial: no trial was written twice
      const epochsPerTrial = await rows<{ trial_id: number; n: string; distinct_epochs: string }>(
        url,
        'SELECT trial_id, count(*) AS n, count(DISTINCT epoch) AS distinct_epochs FROM epochs GROUP BY trial_id',
      );
      expect(epochsPerTrial).toHaveLength(trials.length);
      for (const e of epochsPerTrial) expect(e.n).toBe(e.distinct_epochs);
      // the trials were split across both workers, each recorded with its host and worker
      const workers = new Set(trials.map((t) => t.worker_name));
      expect(workers.size).toBe(2);
      expect(trials.every((t) => t.worker_host && t.attempts >= 1)).toBe(true);
      // the killed worker's trial was run again by the other one, as a second attempt
      const retried = trials.find((t) => Number(t.id) === victim.trialId)!;
      expect(retried.attempts).toBeGreaterThanOrEqual(2);
      expect(retried.worker_name).toContain(`pid ${victim.survivor.child.pid} `);
      // export says who ran each trial, as the database does
      const out = join(coordinator.dir, 'out');
      const exported = cli({ ...coordinator, env: { ...coordinator.env, TRANSFER_BENCH_DB: url } }, [
        'export',
        'latest',
        '--out',
        out,
      ]);
      expect(exported.status, exported.stderr).toBe(0);
      const csvTrials = parse(readFileSync(join(out, 'trials.csv'), 'utf8'), { columns: true }) as Record<
        string,
        string
      >[];
      expect(csvTrials.map((t) => [t.trial_id, t.worker_host, t.worker_name, t.attempts])).toEqual(
        trials.map((t) => [String(t.id), t.worker_host, t.worker_name, String(t.attempts)]),
      );
      // the same results as the local run: same backend, same seeds, same code
      const key = (t: TrialRow) => `${t.approach}/${t.train_size}/${t.seed}`;
      const expected = new Map(reference.map((t) => [key(t), t.test_accuracy]));
      for (const t of trials) expect(t.test_accuracy, key(t)).toBe(expected.get(key(t)));
      // the run reported like a local one
      expect(runOut.stdout).toContain('test accuracy %');

      victim.survivor.child.kill('SIGTERM');
      expect(await exited(victim.survivor.child)).toBe(0);
      console.log(
        `distributed ${suite === 'quick' ? 'quick' : 'quick (reduced)'}: distributed run with a worker killed ${distributedSeconds.toFixed(0)} s, local run ${localSeconds.toFixed(0)} s (started at the kill, beside it)`,
      );
    },
    scaled(1_200_000),
  );
});
