import { describe, expect, it } from 'vitest';
import { parseBudget } from '../../../benchmarks/cli/adaptive-options.js';
import { adaptiveSettingsOf, withDesign } from '../../../benchmarks/design/suite-design.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { suiteSpec } from '../../../benchmarks/spec/suite-schema.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const tiny = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;

describe('adaptive design in a suite', () => {
  it('reads the range from the sizes, the seed cap from the seeds and the arms from the approaches', () => {
    expect(adaptiveSettingsOf(tiny)).toBeNull();
    const spec = withDesign({ ...tiny, seeds: [3, 5, 7] }, { kind: 'adaptive', budgetSeconds: 1200 });
    expect(adaptiveSettingsOf(spec)).toEqual({
      minSize: 10,
      maxSize: 40,
      arms: [{ approach: 'scratch' }, { approach: 'finetune' }, { approach: 'linear-probe' }],
      seeds: [3, 5, 7],
      budgetSeconds: 1200,
    });
  });

  it('refuses a suite that cannot pair: one seed, no scratch or scratch alone (schema and run --adaptive alike)', () => {
    expect(() => withDesign(tiny, { kind: 'adaptive' })).toThrow(/at least two seeds \(it has 1 seed\)/);
    const input = { ...tiny, design: { kind: 'adaptive' } };
    expect(suiteSpec.safeParse(input).error?.issues[0]?.message).toMatch(
      /give "scratch", another approach and 2\+ seeds/,
    );
    const alone = { ...tiny, seeds: [0, 1], approaches: { scratch: tiny.approaches.scratch! } };
    expect(() => withDesign(alone, { kind: 'adaptive' })).toThrow(/\(it has 2 seeds and no other approach\)/);
    expect(suiteSpec.safeParse({ ...alone, design: { kind: 'adaptive' } }).success).toBe(false);
    expect(suiteSpec.safeParse({ ...input, seeds: [0, 1] }).success).toBe(true);
    expect(suiteSpec.safeParse({ ...input, seeds: [0, 1], design: { kind: 'adaptive', budget: 3 } }).success).toBe(
      false,
    );
  });

  it('parses --budget as a duration in seconds', () => {
    expect(parseBudget('20m')).toBe(1200);
    expect(parseBudget('1.5h')).toBe(5400);
    expect(parseBudget('900')).toBe(900);
    expect(() => parseBudget('soon')).toThrow(/20m, 1.5h or 900s/);
    expect(() => parseBudget('0m')).toThrow(/duration/);
  });
});
