import { describe, expect, it } from 'vitest';
import { nextRound } from '../../../benchmarks/design/adaptive-design.js';
import { adaptiveSettingsOf } from '../../../benchmarks/design/suite-design.js';
import type { SuiteRecord, TrialRecord, TrialStatus } from '../../../benchmarks/domain.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { designSection } from '../../../benchmarks/report/design-section.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const spec = {
  ...loadSuite({ kind: 'file', path: TINY_SUITE }).spec,
  seeds: [0, 1, 2],
  design: { kind: 'adaptive' as const },
};
const suite = { id: 1, name: 'tiny', status: 'running', spec } as unknown as SuiteRecord;

let nextId = 1;
function record(key: { approach: TrialRecord['approach']; trainSize: number; seed: number }, status: TrialStatus) {
  // fine-tuning 6 points ahead at 10 examples, level by 40
  const lead = key.approach === 'finetune' ? 0.06 * (1 - Math.log(key.trainSize / 10) / Math.log(4)) : 0;
  const accuracy = 0.7 + 0.05 * Math.log(key.trainSize / 10) + lead + key.seed * 0.003;
  return {
    ...key,
    id: nextId++,
    suiteId: 1,
    status,
    testAccuracy: status === 'done' ? accuracy : null,
    wallSeconds: status === 'done' ? 2 : null,
  } as unknown as TrialRecord;
}

describe("the report's 'How this suite was designed'", () => {
  it('shows the round in progress as not finished: its pending, running or cancelled trials are not results', () => {
    const settings = adaptiveSettingsOf(spec)!;
    const zero = nextRound(settings, []);
    if (zero.kind !== 'add') throw new Error('round 0 adds the coarse sizes');
    const trials = zero.trials.map((t) => record(t, 'done'));
    const one = nextRound(
      settings,
      trials.map((t) => ({ ...t, costSeconds: t.wallSeconds })),
    );
    if (one.kind !== 'add') throw new Error('round 1 should add trials here');
    const statuses: TrialStatus[] = ['pending', 'running', 'cancelled', 'done'];
    trials.push(...one.trials.map((t, i) => record(t, statuses[i % statuses.length]!)));
    const blocks = designSection(suite, trials);
    const table = blocks.find((b) => b.kind === 'table');
    if (table?.kind !== 'table') throw new Error('the section has a table of rounds');
    const done = one.trials.filter((_, i) => statuses[i % statuses.length] === 'done').length;
    expect(table.rows.map((r) => r.slice(0, 3))).toEqual([
      ['0', String(zero.trials.length), String(zero.trials.length)],
      ['1', String(one.trials.length), String(done)],
    ]);
    expect(blocks).toContainEqual({
      kind: 'paragraph',
      text: 'The design has not stopped: the last round above is not finished (resume the suite to continue it).',
    });
  });
});
