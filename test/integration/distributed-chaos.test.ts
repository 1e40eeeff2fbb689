/**
 * Issue 16's chaos test: a distributed run on a real PostgreSQL with two `transfer-bench worker` processes, one of them
 * SIGKILLed mid-trial and then PostgreSQL stopped for 150 s while the other trains. Every trial is done exactly once,
 * the dead worker's trial is retried within 90 s of its death (its heartbeat stopped: defect 11), the result finished
 * during the outage is written once the database is back (defect 9), and the accuracies equal a local run's.
 *
 * The suite is `quick` reduced to one seed, two sizes and one pretraining epoch (8 trials; `quick` itself takes too
 * long on a busy 2-core machine for a test that also waits out an outage): TB_CHAOS_SUITE=quick runs the whole of it.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../support/machine-load.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { requireSystem } from '../support/system.js';
import { cliAsync, query, reducedQuick, sandbox, type Sandbox } from './cli-helpers.js';

const hasPostgres = requireSystem('postgresql');
const OUTAGE_MS = 150_000;
/** How soon after its worker's death a trial must be taken up again on an idle machine (the silence allowed is 30 s). */
const RETRY_WITHIN_MS = 90_000;

interface Process {
  child: ChildProcess;
  /** Lines of stderr, each with when this test saw it. */
  lines: { at: number; text: string }[];
  stdout: string;
}

function watch(child: ChildProcess): Process {
  const process: Process = { child, lines: [], stdout: '' };
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    for (const text of parts) process.lines.push({ at: Date.now(), text });
  });
  child.stdout!.on('data', (chunk: Buffer) => (process.stdout += chunk.toString()));
  return process;
}

const log = (p: Process) => p.lines.map((l) => l.text).join('\n');

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function until<T>(what: string, find: () => T | undefined, logs: Process[], idleMs = 600_000): Promise<T> {
  const deadline = Date.now() + scaled(idleMs);
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; output:\n${logs.map(log).join('\n---\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface TrialRow {
  /** PostgreSQL gives a bigint column as a string. */
  id: number | string;
  approach: string;
  train_size: number;
  seed: number;
  status: string;
  test_accuracy: number | null;
  attempts: number;
  worker_name: string | null;
}

describe.runIf(hasPostgres)('issue 16 chaos: a worker killed and PostgreSQL away for 150 s', () => {
  let server: PostgresServer;
  const children: ChildProcess[] = [];
  const start = (box: Sandbox, args: string[]) => {
    const child = cliAsync(box, args);
    children.push(child);
    return watch(child);
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server?.up().catch(() => {});
    await server?.stop();
  });

  it(
    'every trial once, the dead worker’s trial retried within 90 s, no finished result lost, the accuracies of a local run',
    async () => {
      const local = sandbox();
      const suite = reducedQuick(local, process.env.TB_CHAOS_SUITE === 'quick');

      const url = await server.createDatabase('chaos');
      const a = start(sandbox(), ['worker', '--db', url, '--backend', 'wasm', '--workers', '1']);
      const b = start(sandbox(), ['worker', '--db', url, '--backend', 'wasm', '--workers', '1']);
      const run = start(sandbox(), ['run', suite, '--db', url, '--distributed', '--backend', 'wasm']);
      const all = [a, b, run];

      // 1. The first worker to start a trial after finishing one is SIGKILLed in the middle of it.
      const startedAfterDone = (w: Process) => {
        const done = w.lines.findIndex((l) => /: done, test accuracy/.test(l.text));
        if (done < 0) return undefined;
        const next = w.lines.slice(done).find((l) => /trial (\d+) of suite \d+ .*: started/.test(l.text));
        return next && Number(/trial (\d+)/.exec(next.text)![1]);
      };
      const { victim, survivor, trialId } = await until(
        'a worker to start its second trial',
        () => {
          for (const [w, other] of [
            [a, b],
            [b, a],
          ] as const) {
            const id = startedAfterDone(w);
            if (id !== undefined) return { victim: w, survivor: other, trialId: id };
          }
          return run.child.exitCode !== null ? { victim: null, survivor: null, trialId: -1 } : undefined;
        },
        all,
      );
      if (!victim || !survivor) throw new Error(`the run ended before a worker started a second trial:\n${log(run)}`);
      victim.child.kill('SIGKILL');
      const diedAt = Date.now();

      // 2. The run notices the silence and hands the trial over; the survivor takes it up within 90 s of the death.
      const handedOver = await until(
        'the dead worker’s trial to be handed over',
        () =>
          run.lines.find((l) => new RegExp(`trial ${trialId}: worker .* silent for \\d+ s; handing it`).test(l.text)),
        all,
      );
      const retried = await until(
        'the survivor to take the dead worker’s trial up',
        () =>
          survivor.lines.find((l) =>
            new RegExp(`trial ${trialId} of suite \\d+ .*: started \\(attempt 2\\)`).test(l.text),
          ),
        all,
      );
      const retriedAfterMs = retried.at - diedAt;
      // handing over is the run's doing (30 s of silence, then its next look) and taking the trial up waits for the
      // survivor to finish the trial it trains: within 90 s on an idle machine, both stretched by a busy one (a run at
      // load 26 on 2 cores handed over later than 90 s: its process was starved, not wrong)
      expect(handedOver.at - diedAt).toBeLessThan(scaled(RETRY_WITHIN_MS));
      expect(retriedAfterMs).toBeLessThan(scaled(RETRY_WITHIN_MS));

      // 3. PostgreSQL stops while the survivor trains that trial, and stays away for 150 s. The reference, the same
      // suite run locally on SQLite, runs meanwhile: the outage is a fixed wait, and nothing of the distributed run is
      // timed from here on.
      await server.down();
      const downAt = Date.now();
      const reference = start(local, ['run', suite, '--backend', 'wasm', '--workers', '2']);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await server.up();

      expect(await exited(run.child), log(run)).toBe(0);
      expect(await exited(reference.child), log(reference)).toBe(0);
      const expected = query<TrialRow>(local.db, 'SELECT * FROM trials ORDER BY id');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      let trials: TrialRow[];
      let curves: { trial_id: number; n: string; distinct_epochs: string }[];
      try {
        trials = (await client.query<TrialRow>('SELECT * FROM trials ORDER BY id')).rows;
        curves = (
          await client.query(
            'SELECT trial_id, count(*) AS n, count(DISTINCT epoch) AS distinct_epochs FROM epochs GROUP BY trial_id',
          )
        ).rows;
      } finally {
        await client.end();
      }

      // every trial done exactly once: one row each, one curve each, and a worker started each once (the dead
      // worker's trial twice: its first attempt died)
      expect(trials).toHaveLength(expected.length);
      expect(trials.map((t) => t.status)).toEqual(expected.map(() => 'done'));
      expect(curves).toHaveLength(trials.length);
      for (const c of curves) expect(c.n).toBe(c.distinct_epochs);
      const logs = `run:\n${log(run)}\nworker a:\n${log(a)}\nworker b:\n${log(b)}`;
      for (const t of trials) {
        expect(t.attempts, `attempts of trial ${t.id} (the dead worker's: ${trialId})\n${logs}`).toBe(
          Number(t.id) === trialId ? 2 : 1,
        );
      }
      const startedLines = [a, b].flatMap((w) =>
        w.lines.filter((l) => /: started/.test(l.text)).map((l) => Number(/trial (\d+)/.exec(l.text)![1])),
      );
      expect(startedLines.filter((id) => id !== trialId).sort((x, y) => x - y)).toEqual(
        trials.filter((t) => Number(t.id) !== trialId).map((t) => Number(t.id)),
      );
      // the survivor waited the outage out (a result in hand, or what its trial needed) and trained nothing twice
      expect(log(survivor)).toMatch(/cannot (store the result|record|complete|fetch)/);
      expect(log(run)).not.toMatch(new RegExp(`trial (?!${trialId}:)\\d+: worker .* silent`));
      // the accuracies of the local run: same backend, same seeds, same code
      const key = (t: TrialRow) => `${t.approach}/${t.train_size}/${t.seed}`;
      const byKey = new Map(expected.map((t) => [key(t), t.test_accuracy]));
      for (const t of trials) expect(t.test_accuracy, key(t)).toBe(byKey.get(key(t)));

      survivor.child.kill('SIGTERM');
      expect(await exited(survivor.child)).toBe(0);
      console.log(
        `chaos: dead worker's trial ${trialId} handed over ${((handedOver.at - diedAt) / 1000).toFixed(0)} s and retried ${(retriedAfterMs / 1000).toFixed(0)} s after the kill; PostgreSQL away ${(OUTAGE_MS / 1000).toFixed(0)} s from ${new Date(downAt).toISOString()}`,
      );
    },
    scaled(2_400_000),
  );
});
