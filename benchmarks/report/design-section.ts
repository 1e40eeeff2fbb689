import { formatSeconds, formatSize, plural } from '../analysis/format.js';
import { SIZE_STEP } from '../design/adaptive-design.js';
import { designView } from '../design/design-view.js';
import { adaptiveSettingsOf, designTrial } from '../design/suite-design.js';
import { isTrialFinal, type SuiteRecord, type TrialRecord } from '../domain.js';
import type { Block } from './document.js';

/**
 * "How this suite was designed", for an adaptive suite (nothing for a fixed grid): each round replayed from the
 * finished trials with what it added and why, how the design ended, the compute spent against the budget, and what a
 * fixed grid at the design's resolution would have run (design/design-view.ts, as the app shows it).
 */
export function designSection(suite: SuiteRecord, trials: readonly TrialRecord[]): Block[] {
  const settings = adaptiveSettingsOf(suite.spec);
  if (!settings) return [];
  // trials still to run (pending, running, or cancelled and to run again) are not results: their round is in progress
  const finished = trials.filter((t) => isTrialFinal(t.status));
  const view = designView(settings, finished.map(designTrial));
  const rows = view.rounds.map((r) => [String(r.round), String(r.trials), String(r.stored), r.reasons.join('; ')]);
  const ending = view.stop
    ? `The design stopped after round ${view.rounds.length - 1}: ${view.stop.reason}.`
    : 'The design has not stopped: the last round above is not finished (resume the suite to continue it).';
  const { grid } = view;
  const compute = [
    `Compute: ${formatSeconds(view.spentSeconds)} of training summed over ${plural(view.trialsRun, 'trial')}` +
      (view.budgetSeconds === null ? ' (no budget).' : ` against a budget of ${formatSeconds(view.budgetSeconds)}.`),
    `A fixed grid at the design's resolution (sizes ${grid.sizes.map(formatSize).join(', ')}, ×${SIZE_STEP} apart; ` +
      `${plural(settings.seeds.length, 'seed')}; ${plural(settings.arms.length, 'approach', 'approaches')}) is ${plural(grid.trials, 'trial')}: ` +
      `this suite ran ${((view.trialsRun / grid.trials) * 100).toFixed(0)}% of them` +
      (grid.estimatedSeconds === null
        ? '.'
        : `, and about ${((view.spentSeconds / grid.estimatedSeconds) * 100).toFixed(0)}% of its estimated ${formatSeconds(grid.estimatedSeconds)} (an estimate: the seconds per training example of the trials run here, times the grid's examples).`),
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
