import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, query, sandbox, TINY_SUITE, type Sandbox } from './cli-helpers.js';
import { scaled } from '../support/machine-load.js';

/**
 * An adaptive suite on the real runner (forked workers, real training): killed with SIGKILL in the middle of a round
 * after round 0, then resumed. No trial finished before the kill is lost or trained again, and the design continues
 * where it was: the suite ends with the same trials (hence the same rounds, the design being a function of the stored
 * trials) and the same accuracies as a run never interrupted (a seeded trial trains the same way twice).
 */
interface Row {
  approach: string;
  train_size: number;
  seed: number;
  status: string;
  test_accuracy: number | null;
}

interface Finished {
  id: number;
  finished_at: string;
  test_accuracy: number;
}

const ROWS = 'SELECT approach, train_size, seed, status, test_accuracy FROM trials ORDER BY approach, train_size, seed';
const FINISHED = `SELECT id, finished_at, test_accuracy FROM trials WHERE status = 'done' ORDER BY id`;
/** Round 0 of sizes 10..40 (×4 apart: 10 and 40), two seeds, two approaches. */
const ROUND_0 = 8;

/** The tiny fixture (an MLP, a few seconds of training per trial) as an adaptive suite of scratch and finetune. */
function writeSuite(box: Sandbox): string {
  const tiny = JSON.parse(readFileSync(TINY_SUITE, 'utf8')) as { approaches: Record<string, unknown> };
  const path = join(box.dir, 'suite.json');
  writeFileSync(
    path,
    JSON.stringify({
      ...tiny,
      sizes: [10, 40],
      seeds: [0, 1, 2],
      approaches: { scratch: tiny.approaches.scratch, finetune: tiny.approaches.finetune },
    }),
  );
  return path;
}

const RUN = ['--adaptive', '--backend', 'wasm', '--workers', '1'];

describe('adaptive suite on the real runner', () => {
  it(
    'killed mid-round and resumed, loses no finished trial, trains none twice and ends with the same design as a run never interrupted',
    async () => {
      const whole = sandbox();
      const ran = cli(whole, ['run', writeSuite(whole), ...RUN]);
      expect(ran.status, ran.stderr).toBe(0);
      const uninterrupted = query<Row>(whole.db, ROWS);
      // the design added at least one round after round 0, so there is a later round to kill
      expect(uninterrupted.length).toBeGreaterThan(ROUND_0);
      expect(uninterrupted.every((t) => t.status === 'done')).toBe(true);

      // the same source model cache: the second run pretrains nothing, so it reaches round 1 sooner
      const box = sandbox(whole.env.TRANSFER_BENCH_CACHE);
      const child = cliAsync(box, ['run', writeSuite(box), ...RUN]);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // killed once a round after round 0 is under way: some of its trials stored as done, some not
      const finishedAtKill = await new Promise<Finished[]>((resolve, reject) => {
        const timer = setInterval(() => {
          try {
            const rows = query<Row>(box.db, ROWS);
            const done = query<Finished>(box.db, FINISHED);
            if (rows.length > ROUND_0 && done.length > ROUND_0 && done.length < rows.length) {
              child.kill('SIGKILL');
              clearInterval(timer);
              resolve(done);
            }
          } catch {
            // the database may not exist yet
          }
        }, 50);
        child.once('exit', () => {
          clearInterval(timer);
          reject(new Error('the run ended before it could be killed mid-round'));
        });
      });
      await exited;
      expect(finishedAtKill.length).toBeLessThan(uninterrupted.length);
      // nothing finished is lost by the kill itself
      const idsAtKill = finishedAtKill.map((t) => t.id).join(',');
      expect(
        query<Finished>(box.db, `SELECT id, finished_at, test_accuracy FROM trials WHERE id IN (${idsAtKill})`),
      ).toEqual(finishedAtKill);

      const resumed = cli(box, ['resume', '1']);
      expect(resumed.status, resumed.stderr).toBe(0);
      // none trained twice: every trial finished before the kill keeps its result and its finishing time
      expect(
        query<Finished>(box.db, `SELECT id, finished_at, test_accuracy FROM trials WHERE id IN (${idsAtKill})`),
      ).toEqual(finishedAtKill);
      // the design continued where it was: the same trials, and the same accuracies, as the run never interrupted
      expect(query<Row>(box.db, ROWS)).toEqual(uninterrupted);
      expect(query<{ status: string }>(box.db, 'SELECT status FROM suites')[0]!.status).toBe('done');
    },
    scaled(600_000),
  );
});
