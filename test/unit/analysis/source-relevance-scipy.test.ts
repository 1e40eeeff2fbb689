import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceRelevanceClaim, type SourceResults } from '../../../benchmarks/analysis/claims.js';
import { createRng } from '../../../benchmarks/datasets/seeded-random.js';
import { scaled } from '../../support/machine-load.js';
import { PYTHON_PATH, requireSystem } from '../../support/system.js';

const SCRIPT = resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'check-source-relevance.py');

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

describe.runIf(requireSystem('python3-scipy'))('source relevance recomputed with scipy', () => {
  it(
    "matches the claim's paired p-values, source-pair factor and Holm correction size by size",
    () => {
      const rng = createRng(5);
      const sizes = [20, 50, 100, 200];
      const effects: Record<string, number> = { near: 0.03, mid: 0.01, far: 0 };
      const subset = sizes.map(() => [0, 1, 2, 3].map(() => gaussian(rng) * 0.03));
      // accuracies on a 1,000-image test set, as trials.csv stores them (percent with two decimals: exact here)
      const sources: SourceResults[] = Object.entries(effects).map(([source, effect]) => ({
        source,
        accuracies: sizes.flatMap((trainSize, k) =>
          (['finetune', 'linear-probe'] as const).map((approach) => {
            const values = subset[k]!.map(
              (s) =>
                Math.round((0.8 + effect + s + (approach === 'finetune' ? 0 : -0.01) + gaussian(rng) * 0.01) * 1000) /
                1000,
            );
            return { approach, trainSize, values, seeds: [0, 1, 2, 3] };
          }),
        ),
      }));
      const claim = sourceRelevanceClaim({
        tolerance: 0.01,
        accuracy: [],
        comparisons: [],
        multipliers: [],
        target: null,
        timeToTarget: [],
        costPerGroup: [],
        pretrain: null,
        overfitting: [],
        sources,
      });
      expect(claim.checks).toHaveLength(sizes.length);
      const dir = mkdtempSync(join(tmpdir(), 'tb-relevance-'));
      const rows = sources.flatMap((s) =>
        s.accuracies.flatMap((a) =>
          a.values.map((v, i) => `done,${a.approach},${s.source},${a.trainSize},${a.seeds[i]},${(v * 100).toFixed(2)}`),
        ),
      );
      writeFileSync(
        join(dir, 'trials.csv'),
        ['status,approach,source,train_size,seed,test_accuracy_pct', ...rows].join('\r\n') + '\r\n',
      );
      writeFileSync(join(dir, 'report.md'), `| ${claim.claim} | ${claim.verdictLabel} | ${claim.evidence} |\n`);
      const run = spawnSync(PYTHON_PATH, [SCRIPT, dir, join(dir, 'report.md')], {
        encoding: 'utf8',
        timeout: scaled(120_000),
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/4 sizes, Holm family 4; 0 mismatches/);
      expect(run.stdout).toMatch(/sources: near, mid, far \(3 pairs\)/);
    },
    scaled(180_000),
  );
});
