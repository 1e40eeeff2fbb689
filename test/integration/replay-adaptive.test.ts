import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, dumpDb, query, ROOT, sandbox, TINY_SUITE } from './cli-helpers.js';
import { scaled } from '../support/machine-load.js';

/**
 * scripts/replay-adaptive.js on a small stored suite: the tiny MLP suite run for real as a fixed grid (sizes 10, 16, 25
 * and 40, three seeds, scratch and fine-tuning), then the adaptive design replayed over it without training.
 */
const SCRIPT = join(ROOT, 'scripts', 'replay-adaptive.js');

interface Replay {
  suite: { trials: number; wallSeconds: number };
  replay: {
    trials: number;
    chosen: { approach: string; trainSize: number; seed: number }[];
    wallSeconds: number;
    computeShare: number;
    stop: { kind: string; reason: string } | null;
    rounds: { trials: number; reasons: string[] }[];
  };
  claims: { id: string; grid: string; replayed: string; sameLabel: boolean }[];
  crossovers: { arm: string; withinStep: boolean }[];
}

function replay(args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: scaled(120_000) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('replaying an adaptive design over a stored grid', () => {
  const box = sandbox();
  beforeAll(() => {
    const tiny = JSON.parse(readFileSync(TINY_SUITE, 'utf8')) as { approaches: Record<string, unknown> };
    const path = join(box.dir, 'grid.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...tiny,
        sizes: [10, 16, 25, 40],
        seeds: [0, 1, 2],
        approaches: { scratch: tiny.approaches.scratch, finetune: tiny.approaches.finetune },
      }),
    );
    const ran = cli(box, ['run', path, '--backend', 'wasm', '--workers', '1']);
    expect(ran.status, ran.stderr).toBe(0);
  }, scaled(600_000));

  it('chooses trials of the grid, says what they cost of it, and sets the verdicts side by side, writing nothing', () => {
    const before = dumpDb(box.db);
    for (const rule of ['product', 'verdicts']) {
      const r = replay([box.db, '--rule', rule, '--json']);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as Replay;
      expect(out.suite.trials).toBe(24);
      // round 0: the listed sizes nearest the coarse ones (10 and 40, ×4 apart), seeds 0 and 1, both approaches
      expect(out.replay.rounds[0]!.trials).toBe(8);
      expect(
        out.replay.chosen
          .slice(0, 8)
          .map((t) => `${t.approach}|${t.trainSize}|${t.seed}`)
          .sort(),
      ).toEqual(
        [
          'finetune|10|0',
          'finetune|10|1',
          'finetune|40|0',
          'finetune|40|1',
          'scratch|10|0',
          'scratch|10|1',
          'scratch|40|0',
          'scratch|40|1',
        ].sort(),
      );
      expect(out.replay.stop).not.toBeNull();
      expect(out.replay.trials).toBe(out.replay.chosen.length);
      expect(out.replay.rounds.reduce((s, x) => s + x.trials, 0)).toBe(out.replay.trials);
      // the compute share is the chosen trials' stored wall seconds over the grid's
      const walls = query<{ approach: string; train_size: number; seed: number; wall_seconds: number }>(
        box.db,
        'SELECT approach, train_size, seed, wall_seconds FROM trials',
      );
      const chosen = new Set(out.replay.chosen.map((t) => `${t.approach}|${t.trainSize}|${t.seed}`));
      const all = walls.reduce((s, t) => s + t.wall_seconds, 0);
      const mine = walls
        .filter((t) => chosen.has(`${t.approach}|${t.train_size}|${t.seed}`))
        .reduce((s, t) => s + t.wall_seconds, 0);
      expect(chosen.size).toBe(out.replay.trials);
      expect(out.replay.computeShare).toBeCloseTo(mine / all, 9);
      // every claim of the report, the grid's verdict and the replayed one
      expect(out.claims.map((c) => c.id)).toEqual([
        'less-data',
        'trains-faster',
        'less-compute',
        'overfits-small-data',
        'source-relevance',
        'partial-balances',
      ]);
      for (const c of out.claims) expect(c.sameLabel).toBe(c.grid === c.replayed);
      expect(out.crossovers.map((c) => c.arm)).toEqual(['finetune']);
    }
    expect(dumpDb(box.db)).toBe(before);
  });

  it('refuses what it cannot replay, with one line saying why', () => {
    const missing = replay([join(box.dir, 'nothing.db')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `replay-adaptive: give the SQLite file of a finished fixed-grid suite (${join(box.dir, 'nothing.db')} not found)`,
    );
    const rule = replay([box.db, '--rule', 'fastest']);
    expect(rule.status).toBe(1);
    expect(rule.stderr.trim()).toBe('replay-adaptive: --rule fastest is not a design; give one of product, verdicts');
  });
});
