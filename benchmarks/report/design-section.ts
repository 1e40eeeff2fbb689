import { formatSeconds, formatSize, plural } from '../analysis/format.js';
import { fullGridSizes, SIZE_STEP } from '../design/adaptive-design.js';
import { replayDesign } from '../design/design-history.js';
import { adaptiveSettingsOf, designTrial } from '../design/suite-design.js';
import type { SuiteRecord, TrialRecord } from '../domain.js';
import type { Block } from './document.js';

/**
 * "How this suite was designed", for an adaptive suite (nothing for a fixed grid): each round replayed from the stored
 * trials with what it added and why, how the design ended, the compute spent against the budget, and what a fixed
 * grid at the design's resolution would have run.
 */
export function designSection(suite: SuiteRecord, trials: readonly TrialRecord[]): Block[] {
  const settings = adaptiveSettingsOf(suite.spec);
  if (!settings) return [];
  const stored = trials.map(designTrial);
  const rounds = replayDesign(settings, stored);
  const rows = rounds.flatMap(({ round, step, stored: have }) =>
    step.kind === 'add' ? [[String(round), String(step.trials.length), String(have), step.reasons.join('; ')]] : [],
  );
  const last = rounds.at(-1);
  const ending =
    last?.step.kind === 'stop'
      ? `The design stopped after round ${last.round - 1}: ${last.step.reason}.`
      : 'The design has not stopped: the last round above is not finished (resume the suite to continue it).';
  const spent = stored.reduce((s, t) => s + (t.costSeconds ?? 0), 0);
  const budget = settings.budgetSeconds ?? null;
  const gridSizes = fullGridSizes(settings.minSize, settings.maxSize);
  const gridTrials = gridSizes.length * settings.seeds.length * settings.arms.length;
  const costed = stored.filter((t) => t.costSeconds !== null && t.costSeconds > 0);
  const perExample =
    costed.length > 0
      ? costed.reduce((s, t) => s + t.costSeconds!, 0) / costed.reduce((s, t) => s + t.trainSize, 0)
      : null;
  const gridSeconds =
    perExample === null
      ? null
      : gridSizes.reduce((s, size) => s + size, 0) * settings.seeds.length * settings.arms.length * perExample;
  const compute = [
    `Compute: ${formatSeconds(spent)} of training summed over ${plural(trials.length, 'trial')}` +
      (budget === null ? ' (no budget).' : ` against a budget of ${formatSeconds(budget)}.`),
    `A fixed grid at the design's resolution (sizes ${gridSizes.map(formatSize).join(', ')}, ×${SIZE_STEP} apart; ` +
      `${plural(settings.seeds.length, 'seed')}; ${plural(settings.arms.length, 'approach', 'approaches')}) is ${plural(gridTrials, 'trial')}: ` +
      `this suite ran ${((trials.length / gridTrials) * 100).toFixed(0)}% of them` +
      (gridSeconds === null
        ? '.'
        : `, and about ${((spent / gridSeconds) * 100).toFixed(0)}% of its estimated ${formatSeconds(gridSeconds)} (an estimate: the seconds per training example of the trials run here, times the grid's examples).`),
  ];
  return [
    { kind: 'heading', level: 2, text: 'How this suite was designed' },
    {
      kind: 'paragraph',
      text: `Adaptive design: round 0 runs sizes about ×4 apart over ${formatSize(settings.minSize)}–${formatSize(settings.maxSize)} with two seeds; each later round refits the learning curves (power law with a floor, with a seeded bootstrap of the seeds) and, with the same paired, Holm-corrected tests the report states, adds a size where the fitted crossover's 90% interval or a verdict spans more than one ×${SIZE_STEP} step and a seed where a difference is near the significance boundary (at most ${plural(settings.seeds.length, 'seed')}). The rounds below are replayed from the stored trials: the design is a function of them.`,
    },
    { kind: 'table', headers: ['Round', 'Trials added', 'Stored', 'Why'], rows, numeric: [true, true, true, false] },
    { kind: 'paragraph', text: ending },
    { kind: 'list', items: compute },
  ];
}
