import { APPROACH_LABELS, formatMultiplier } from '../analysis/format.js';
import type { ApproachTuning } from '../analysis/tuning.js';
import type { Block } from './document.js';

/**
 * Learning-rate tuning per approach: how many candidates, which value each trial kept, how often at an edge of the
 * list, and what the candidates cost in optimiser updates (with and without stopping hopeless ones early).
 */
export function tuningSection(tuning: readonly ApproachTuning[]): Block[] {
  if (!tuning.some((t) => t.grid.length > 1)) return [];
  const rows = tuning.map((t) => {
    const chosen = t.chosen
      .filter((c) => c.count > 0)
      .map((c) => `${c.learningRate} ×${c.count}`)
      .join(', ');
    const edge = t.grid.length > 1 ? `${t.atEdge.low + t.atEdge.high} of ${t.trials}` : '—';
    const cost = t.chosenSteps > 0 ? `${formatMultiplier(t.candidateSteps / t.chosenSteps)}×` : '—';
    const withoutPruning = t.chosenSteps > 0 ? `${formatMultiplier(t.unprunedSteps / t.chosenSteps)}×` : '—';
    return [
      APPROACH_LABELS[t.approach],
      t.grid.join(', '),
      chosen || '—',
      edge,
      `${t.prunedCandidates} of ${t.candidates}`,
      cost,
      withoutPruning,
    ];
  });
  return [
    { kind: 'heading', level: 3, text: 'Learning-rate tuning' },
    {
      kind: 'paragraph',
      text: 'Each trial trains once per learning rate in its approach’s list and keeps the one with the lowest validation loss (never the test set). A candidate past the step floor and a quarter of its budget that trails the best finished candidate at the same step is stopped early. Cost: optimiser updates over all candidates divided by those of the kept model; "without stopping early" counts each stopped candidate at the kept one’s length (an estimate).',
    },
    {
      kind: 'table',
      headers: [
        'Approach',
        'Candidates',
        'Chosen (trials)',
        'At an edge',
        'Stopped early',
        'Cost (updates)',
        'Cost without stopping early',
      ],
      rows,
      numeric: [false, false, false, true, true, true, true],
    },
  ];
}
