import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { TINY_SUITE, cli, cliAsync, query, sandbox, type Sandbox } from './cli-helpers.js';
import { scaled } from '../support/machine-load.js';

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];

// One model cache for the file: the tiny suite's source model is pretrained once, by the first run, and every later
// run of the tiny suite here finds it there (as a user's second run does). Each test still has its own database.
const sharedCache = mkdtempSync(join(tmpdir(), 'tb-cli-run-cache-'));

// The tiny suite run with two workers into its own database, once for the file: the first test checks that run and its
// export, the second takes the source model it cached.
let tinyRun: { box: Sandbox; run: ReturnType<typeof cli> } | undefined;
function runTinyOnce(): { box: Sandbox; run: ReturnType<typeof cli> } {
  if (!tinyRun) {
    const box = sandbox(sharedCache);
    tinyRun = { box, run: cli(box, ['run', TINY_SUITE, '--backend', 'wasm', '--workers', '2']) };
  }
  return tinyRun;
}

describe('transfer-bench run / list / export', () => {
  it('runs a suite with two workers, lists it, and exports CSV files consistent with the database', () => {
    const { box, run } = runTinyOnce();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('test accuracy %');

    const list = cli(box, ['list']);
    expect(list.stdout).toMatch(/1\s+tiny\s+done\s+6\/6\s+wasm/);

    const out = join(box.dir, 'out');
    const exported = cli(box, ['export', 'latest', '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    // A guide to every column of every file, and no float written longer than it was measured.
    const guide = readFileSync(join(out, 'columns.md'), 'utf8');
    for (const file of ['trials.csv', 'epochs.csv', 'summary.csv', 'comparison.csv']) {
      const text = readFileSync(join(out, file), 'utf8');
      for (const header of text.split('\r\n')[0]!.split(',')) {
        expect(guide, `${file}: ${header}`).toMatch(new RegExp(`\\| \`${header}\` \\| (?!not described)`));
      }
      expect(text, file).not.toMatch(/\d\.\d{7,}/);
    }
    const trials = readCsv(join(out, 'trials.csv'));
    const epochs = readCsv(join(out, 'epochs.csv'));
    const summary = readCsv(join(out, 'summary.csv'));
    expect(readFileSync(join(out, 'trials.csv'), 'utf8').split('\r\n')[0]).toBe(
      'suite_id,trial_id,approach,source,train_size,seed,status,test_accuracy_pct,test_loss,epochs,best_epoch,wall_seconds,cpu_seconds,trainable_params,backend,total_params,steps,train_flops,peak_bytes,learning_rate,lr_candidates,protocol,device,started_at,finished_at,error,worker_host,worker_name,attempts',
    );
    // every trial's compute, measured in its worker: some CPU, and no more than every core for its wall time
    for (const t of trials) {
      expect(Number(t.cpu_seconds), t.trial_id).toBeGreaterThan(0);
      expect(Number(t.cpu_seconds), t.trial_id).toBeLessThanOrEqual(
        Number(t.wall_seconds) * availableParallelism() + 0.05,
      );
    }
    expect(Object.keys(epochs[0]!).slice(0, 11)).toEqual([
      'trial_id',
      'approach',
      'source',
      'train_size',
      'seed',
      'epoch',
      'train_loss',
      'train_accuracy_pct',
      'val_loss',
      'val_accuracy_pct',
      'elapsed_seconds',
    ]);
    expect(Object.keys(summary[0]!).slice(0, 9)).toEqual([
      'approach',
      'source',
      'train_size',
      'n',
      'test_accuracy_mean_pct',
      'test_accuracy_std_pct',
      'test_accuracy_ci_low_pct',
      'test_accuracy_ci_high_pct',
      'wall_seconds_mean',
    ]);

    const dbTrials = query<{ id: number; test_accuracy: number; status: string; epochs: number }>(
      box.db,
      'SELECT * FROM trials ORDER BY id',
    );
    expect(trials).toHaveLength(6);
    // in percent, to 0.01 points
    expect(trials.map((t) => Number(t.test_accuracy_pct))).toEqual(
      dbTrials.map((t) => Number((t.test_accuracy * 100).toFixed(2))),
    );
    expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['done']));
    // a local run: no worker of a distributed run took these trials
    for (const t of trials) expect([t.worker_host, t.worker_name, t.attempts]).toEqual(['', '', '']);
    expect(trials.every((t) => t.backend === 'wasm')).toBe(true);
    // Every trial's curve has one row per evaluation, and its last epoch is the epochs it ran.
    for (const t of dbTrials) {
      const curve = epochs.filter((e) => Number(e.trial_id) === t.id);
      expect(curve.length).toBeGreaterThan(0);
      expect(Number(curve.at(-1)!.epoch)).toBe(t.epochs);
    }
    // One seed: each summary mean is the trial's own accuracy.
    for (const row of summary) {
      const trial = trials.find((t) => t.approach === row.approach && t.train_size === row.train_size)!;
      expect(Number(row.test_accuracy_mean_pct)).toBe(Number(trial.test_accuracy_pct));
      expect(row.n).toBe('1');
    }
    // Training actually learned: above chance (20% on five classes) at the larger size.
    const at40 = trials.filter((t) => t.train_size === '40').map((t) => Number(t.test_accuracy_pct));
    expect(Math.max(...at40)).toBeGreaterThan(40);
  });

  it('fine-tunes a TensorFlow.js model the user brings, cut at a named layer', () => {
    // The source model the tiny run pretrained and cached is the model the user brings.
    const first = runTinyOnce().run;
    expect(first.status, first.stderr).toBe(0);
    const [cached] = readdirSync(sharedCache).filter((entry) => existsSync(join(sharedCache, entry, 'model.json')));
    const box = sandbox(sharedCache);
    const modelDir = join(box.dir, 'my-model');
    cpSync(join(sharedCache, cached!), modelDir, { recursive: true });
    const suite = JSON.parse(readFileSync(TINY_SUITE, 'utf8')) as Record<string, unknown>;
    const path = join(box.dir, 'own-model.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...suite,
        name: 'own-model',
        // not the brought model's (an MLP): scratch must train the user's architecture, not this one
        architecture: 'cnn',
        pretrain: undefined,
        pretrainedModel: { path: 'my-model/model.json', cutLayer: 'features' },
      }),
    );
    // one worker: a second one would only add its start (about 1.5 CPU-s) to six short trials; cli-run's first test
    // runs two
    const run = cli(box, ['run', path, '--backend', 'wasm', '--workers', '1']);
    expect(run.status, run.stderr).toBe(0);
    const trials = query<{ approach: string; status: string; trainable_params: number; total_params: number }>(
      box.db,
      `SELECT t.* FROM trials t JOIN suites s ON s.id = t.suite_id WHERE s.name = 'own-model'`,
    );
    expect(trials).toHaveLength(6);
    expect(trials.every((t) => t.status === 'done')).toBe(true);
    const probe = trials.find((t) => t.approach === 'linear-probe')!;
    expect(probe.trainable_params).toBeLessThan(probe.total_params);
    // scratch is the user's model up to the cut plus the same head, with fresh weights, all of them trained
    const finetune = trials.find((t) => t.approach === 'finetune')!;
    for (const scratch of trials.filter((t) => t.approach === 'scratch')) {
      expect(scratch.total_params).toBe(finetune.total_params);
      expect(scratch.trainable_params).toBe(scratch.total_params);
    }

    // The same model with its weights broken (NaN): every trial that starts from them diverges, scratch does not
    // (its weights are re-drawn), and the suite goes on to the end.
    const brokenDir = join(box.dir, 'broken-model');
    cpSync(modelDir, brokenDir, { recursive: true });
    const weights = join(brokenDir, 'weights.bin');
    writeFileSync(weights, Buffer.from(new Float32Array(statSync(weights).size / 4).fill(Number.NaN).buffer));
    writeFileSync(
      path,
      JSON.stringify({
        ...suite,
        name: 'broken-model',
        pretrain: undefined,
        pretrainedModel: { path: 'broken-model/model.json', cutLayer: 'features' },
      }),
    );
    const broken = cli(box, ['run', path, '--backend', 'wasm', '--workers', '1']);
    expect(broken.status, broken.stderr).toBe(0);
    const outcomes = query<{ approach: string; status: string; error: string | null; test_loss: number | null }>(
      box.db,
      `SELECT t.* FROM trials t JOIN suites s ON s.id = t.suite_id WHERE s.name = 'broken-model'`,
    );
    for (const t of outcomes) {
      if (t.approach === 'scratch') expect(t.status).toBe('done');
      else expect([t.status, t.test_loss, t.error]).toEqual(['diverged', null, expect.stringContaining('NaN')]);
    }
    expect(query<{ status: string }>(box.db, `SELECT status FROM suites WHERE name = 'broken-model'`)[0]!.status).toBe(
      'done',
    );
  });

  it('keeps every finished trial when killed with SIGKILL, and resume completes without duplicates', async () => {
    // The tiny suite's six trials, one worker: killed once two are done, four are left for the resume to train.
    const box = sandbox(sharedCache);
    const child = cliAsync(box, ['run', TINY_SUITE, '--backend', 'wasm', '--workers', '1']);
    const finishedBeforeKill = await new Promise<{ id: number; finished_at: string }[]>((resolve, reject) => {
      const timer = setInterval(() => {
        try {
          const done = query<{ id: number; finished_at: string }>(
            box.db,
            `SELECT id, finished_at FROM trials WHERE status = 'done' ORDER BY id`,
          );
          if (done.length >= 2) {
            child.kill('SIGKILL');
            clearInterval(timer);
            resolve(done);
          }
        } catch {
          // the database may not exist yet
        }
      }, 200);
      child.once('exit', () => {
        clearInterval(timer);
        reject(new Error('the run ended before it could be killed'));
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const stillThere = query<{ id: number; finished_at: string }>(
      box.db,
      `SELECT id, finished_at FROM trials WHERE id IN (${finishedBeforeKill.map((t) => t.id).join(',')})`,
    );
    expect(stillThere).toEqual(finishedBeforeKill);

    const resume = cli(box, ['resume', '1', '--workers', '1']);
    expect(resume.status, resume.stderr).toBe(0);
    const all = query<{
      id: number;
      approach: string;
      train_size: number;
      seed: number;
      status: string;
      finished_at: string;
    }>(box.db, 'SELECT * FROM trials ORDER BY id');
    expect(all).toHaveLength(6);
    expect(new Set(all.map((t) => `${t.approach}/${t.train_size}/${t.seed}`)).size).toBe(6);
    expect(all.every((t) => t.status === 'done')).toBe(true);
    for (const before of finishedBeforeKill) {
      expect(all.find((t) => t.id === before.id)!.finished_at).toBe(before.finished_at);
    }
    expect(query<{ status: string }>(box.db, 'SELECT status FROM suites')[0]!.status).toBe('done');
  });

  it('stops cleanly on Ctrl-C: in-flight trial cancelled, suite resumable', async () => {
    const box = sandbox(sharedCache);
    const child = cliAsync(box, ['run', TINY_SUITE, '--backend', 'wasm', '--workers', '1']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (/\[1\/6\]/.test(stderr)) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 100);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('node bin/transfer-bench.js resume 1');
    const statuses = query<{ status: string }>(box.db, 'SELECT status FROM trials').map((t) => t.status);
    expect(statuses).toContain('done');
    expect(statuses).not.toContain('running');
    expect(query<{ status: string }>(box.db, 'SELECT status FROM suites')[0]!.status).toBe('cancelled');

    // Two resumes at once, as two processes on one database file: one runs the suite, the other is refused.
    const outcome = (child: ReturnType<typeof cliAsync>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        let err = '';
        child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stderr: err }));
      });
    const resume = ['resume', '1', '--workers', '1'];
    const both = await Promise.all([outcome(cliAsync(box, resume)), outcome(cliAsync(box, resume))]);
    expect(both.map((r) => r.code).sort()).toEqual([0, 1]);
    const refused = both.find((r) => r.code === 1)!;
    expect(refused.stderr.trim()).toMatch(
      /^transfer-bench: suite 1 is already being run \(process \d+ on host .+, last heartbeat \d+ s ago\); cancel that run first, or take it over with `node bin\/transfer-bench\.js resume 1 --force` if it is stuck$/,
    );
    const trials = query<{ status: string; started_at: string }>(box.db, 'SELECT status, started_at FROM trials');
    expect(trials.filter((t) => t.status === 'done')).toHaveLength(6);
    expect(query<{ status: string }>(box.db, 'SELECT status FROM suites')[0]!.status).toBe('done');
  });
  it("defect 4: Ctrl-C while the suite's data is still being checked stops the run at once, storing nothing", async () => {
    // A table large enough that checking it (in the checker process) takes seconds, and a suite of one short trial.
    const box = sandbox();
    const rows = Array.from({ length: 300_000 }, (_, i) => `${i % 97},${(i * 7) % 13},${i % 2 === 0 ? 'a' : 'b'}`);
    writeFileSync(join(box.dir, 'big.csv'), `x,y,label\n${rows.join('\n')}\n`);
    const suite = join(box.dir, 'big.json');
    writeFileSync(
      suite,
      JSON.stringify({
        name: 'big',
        architecture: 'mlp',
        target: { dataset: { kind: 'csv', path: 'big.csv', label: 'label' }, testPerClass: 10 },
        sizes: [20],
        seeds: [0],
        approaches: { scratch: { learningRate: 0.01, epochs: 1, minSteps: 1 } },
      }),
    );
    const child = cliAsync(box, ['run', suite, '--backend', 'wasm', '--workers', '1']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The checker process is up: the suite is being checked and not stored yet. (The CLI's start, not the load, sets
    // the wait: half a minute, stretched by the load now; the run-wide poll timeout, set when the run began, fell
    // short at a load average of 26 on 2 cores.)
    const children = `/proc/${child.pid}/task/${child.pid}/children`;
    await expect
      .poll(() => existsSync(children) && readFileSync(children, 'utf8').trim() !== '', {
        interval: 50,
        timeout: scaled(30_000),
      })
      .toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('stopped before the run began: no trial was trained or stored');
    expect(query<{ n: number }>(box.db, 'SELECT count(*) AS n FROM trials')[0]!.n).toBe(0);
  });
  it('defect 12: a run that leaves failed trials exits non-zero and says so on its last line', async () => {
    const box = sandbox(sharedCache);
    const child = cliAsync(box, ['run', TINY_SUITE, '--backend', 'wasm', '--workers', '1']);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Once the first trial is done, the worker process dies mid-trial: that trial fails, the others run.
    // (the first trial's training, not the load, sets the wait: two minutes, stretched by the load)
    await expect.poll(() => /\[1\/6\]/.test(stderr), { interval: 100, timeout: scaled(120_000) }).toBe(true);
    const workers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
    for (const pid of workers) process.kill(Number(pid), 'SIGKILL');
    expect(await exited).toBe(1);
    const statuses = query<{ status: string }>(box.db, 'SELECT status FROM trials').map((t) => t.status);
    const failed = statuses.filter((s) => s === 'failed').length;
    expect(failed).toBeGreaterThan(0);
    expect(stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^suite 1 finished with ${failed} of 6 trials failed \\(the first, .+\\); run them again with: (node bin/)?transfer-bench(\\.js)? resume 1 --retry-failed( --db \\S+)?$`,
      ),
    );
  });
});
