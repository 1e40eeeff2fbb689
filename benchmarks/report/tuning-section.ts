import { approachLabel, formatMultiplier } from '../analysis/format.js';
import type { ApproachTuning, ProtocolSummary } from '../analysis/tuning.js';
import { formatSize, joinList } from '../analysis/format.js';
import type { Block } from './document.js';

/**
 * Learning-rate tuning per approach: how many candidates, which value each trial kept, how often at an edge of the
 * list, and what the candidates cost in optimiser updates (with and without stopping hopeless ones early).
 */
export function tuningSection(tuning: readonly ApproachTuning[], protocols?: ProtocolSummary): Block[] {
  const selection = protocols ? protocolParagraph(protocols) : [];
  if (!tuning.some((t) => t.grid.length > 1)) return selection;
  const rows = tuning.map((t) => {
    const chosen = t.chosen
      .filter((c) => c.count > 0)
      .map((c) => `${c.learningRate} ×${c.count}`)
      .join(', ');
    const edge = t.grid.length > 1 ? `${t.atEdge.low + t.atEdge.high} of ${t.trials}` : '—';
    const cost = t.chosenSteps > 0 ? `${formatMultiplier(t.candidateSteps / t.chosenSteps)}×` : '—';
    const withoutPruning = t.chosenSteps > 0 ? `${formatMultiplier(t.unprunedSteps / t.chosenSteps)}×` : '—';
    return [
      approachLabel(t),
      t.grid.join(', '),
      chosen || '—',
      edge,
      `${t.prunedCandidates} of ${t.candidates}`,
      String(t.extendedCandidates),
      cost,
      withoutPruning,
    ];
  });
  return [
    ...selection,
    { kind: 'heading', level: 3, text: 'Learning-rate tuning' },
    {
      kind: 'paragraph',
      text: 'Each trial trains once per learning rate in its approach’s list and keeps the one with the lowest validation loss (never the test set). A candidate past the step floor and a quarter of its budget is stopped early only when it trails the best finished candidate at the same step by more than the validation noise (1.96 standard errors of the two validation accuracies) and its validation loss has not improved for 3 evaluations: a slow learner that is still improving trains on. With edge extension ("extendGrid"), a best value at the smallest or largest value tried adds one ×3 step beyond it, until it is inside or the rate would leave 1e-6 … 1. "At an edge" counts trials whose kept value is the smallest or largest they tried. Cost: optimiser updates over all candidates divided by those of the kept model; "without stopping early" counts each stopped candidate at the kept one’s length (an estimate).',
    },
    {
      kind: 'table',
      headers: [
        'Approach',
        'Candidates',
        'Chosen (trials)',
        'At an edge',
        'Stopped early',
        'Added by extension',
        'Cost (updates)',
        'Cost without stopping early',
      ],
      rows,
      numeric: [false, false, false, true, true, true, true, true],
    },
  ];
}

/** Which sizes chose their model by k-fold cross-validation on the subset, and which by a held-out split. */
function protocolParagraph(p: ProtocolSummary): Block[] {
  if (p.kfoldSizes.length === 0) return [];
  const sizes = (list: readonly number[]) => joinList(list.map(formatSize));
  const holdout =
    p.holdoutSizes.length > 0
      ? ` From ${formatSize(p.holdoutSizes[0]!)} examples on, a held-out validation split chose the model (${sizes(p.holdoutSizes)}).`
      : '';
  return [
    { kind: 'heading', level: 3, text: 'Model selection at tiny sizes' },
    {
      kind: 'paragraph',
      text: `At ${sizes(p.kfoldSizes)} examples the held-out split would have left too few validation examples per class, so each trial chose its number of steps (and learning rate) by ${p.folds}-fold cross-validation on its whole subset, then trained on all of it for that many steps; its curve is the folds' mean.${holdout}`,
    },
  ];
}
