import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_SUITE, cli, sandbox, type Sandbox } from './cli-helpers.js';

/** Hints and errors a new user meets: commands to paste as they are, a suggestion for a typo, one line per error. */
describe('CLI hints', () => {
  let box: Sandbox;
  let other: string;
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    // the printed basis says the speed was measured now: this file's CLI measures on its own (cli-helpers.ts)
    box = sandbox(undefined, { freshMeasurements: true });
    other = join(box.dir, 'other results.db');
    // The tiny suite cut to one scratch trial (no source model to pretrain): the hints are those of any finished run.
    const tiny = JSON.parse(readFileSync(TINY_SUITE, 'utf8')) as Record<string, unknown>;
    const suite = join(box.dir, 'tiny.json');
    writeFileSync(
      suite,
      JSON.stringify({
        ...tiny,
        pretrain: undefined,
        sizes: [10],
        approaches: { scratch: (tiny.approaches as Record<string, unknown>).scratch },
      }),
    );
    run = cli(box, ['run', suite, '--backend', 'wasm', '--db', other]);
  });

  it('after a run into another database, the printed commands carry its --db', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `export the results with: node bin/transfer-bench.js export 1 --out results/ --db '${other}'`,
    );
    expect(run.stderr).toContain(`node bin/transfer-bench.js report 1 --out report.html --db '${other}'`);
  });

  it('states the run time it expects before the first trial, from the estimator init uses', () => {
    expect(run.status, run.stderr).toBe(0);
    const estimate =
      /^estimate {6}(\S+ to|at most) \S+ for \d+ trials?, \d at a time on \d+ wasm workers?: from every trial stopping early/m.exec(
        run.stderr,
      );
    expect(estimate, run.stderr).not.toBeNull();
    expect(run.stderr).toMatch(
      /^ {14}basis: \d+ training samples\/s per worker and [\d.]+ s fixed cost per training, measured now/m,
    );
    expect(run.stderr.indexOf(estimate![0])).toBeLessThan(run.stderr.indexOf('[1/'));
  });

  it('says npx when npx ran it', () => {
    const npx = { ...box, env: { ...box.env, npm_lifecycle_event: 'npx', npm_command: 'exec' } };
    const { status, stderr } = cli(npx, ['export', '7', '--db', other]);
    expect(status).toBe(1);
    expect(stderr.trim()).toBe(
      `transfer-bench: no suite with id 7 in this database (see \`npx transfer-bench list --db '${other}'\`)`,
    );
  });

  it('export names the suite it wrote, and says when it was the latest', () => {
    const { status, stdout, stderr } = cli(box, ['export', 'latest', '--db', other, '--out', join(box.dir, 'out')]);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(
      /^exported suite 1 \(tiny, the latest; done, 1\/1 trials, started \d{4}-\d\d-\d\d \d\d:\d\d\)$/m,
    );
    expect(stdout).toContain(join(box.dir, 'out', 'trials.csv'));
  });

  it('a mistyped built-in name: did you mean', () => {
    const { status, stderr } = cli(box, ['run', 'quik']);
    expect(status).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^transfer-bench: there is no built-in suite "quik" .*did you mean "quick"\?/);
  });

  describe('a port in use', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('is one line naming the port and what to do, not EADDRINUSE', () => {
      const { status, stderr } = cli(box, ['serve', '--port', String(port)]);
      expect(status).toBe(1);
      expect(stderr.trim()).toBe(
        `transfer-bench: port ${port} on 127.0.0.1 is in use (by another transfer-bench serve, or another program): stop that, or give another --port (0 picks a free one)`,
      );
    });
  });
});
