import { APPROACHES, TRIAL_STATUSES, type TrialRecord, type TrialStatus } from '$engine/domain.js';

/** Columns the trials table can sort by. */
export type TrialSortKey =
  | 'id'
  | 'approach'
  | 'trainSize'
  | 'seed'
  | 'status'
  | 'testAccuracy'
  | 'testLoss'
  | 'epochs'
  | 'bestEpoch'
  | 'wallSeconds'
  | 'trainFlops'
  | 'learningRate'
  | 'backend';

export type SortDirection = 'asc' | 'desc';

export interface TrialSort {
  key: TrialSortKey;
  direction: SortDirection;
}

export interface TrialFilter {
  /** Words, all of which must match (case-insensitively) approach, source, status, backend, device or error text; `size=N`, `seed=N`, `id=N` or a bare size match exactly. */
  text: string;
  /** Statuses to show; empty shows all. */
  statuses: readonly TrialStatus[];
}

function sortValue(trial: TrialRecord, key: TrialSortKey): number | string | null {
  switch (key) {
    case 'approach':
      return APPROACHES.indexOf(trial.approach);
    case 'status':
      return TRIAL_STATUSES.indexOf(trial.status);
    case 'backend':
      return trial.backend;
    default:
      return trial[key];
  }
}

/** Missing values sort last whatever the direction; ties fall back to approach, size, seed. */
export function compareTrials(a: TrialRecord, b: TrialRecord, sort: TrialSort): number {
  const va = sortValue(a, sort.key);
  const vb = sortValue(b, sort.key);
  if (va === null && vb !== null) return 1;
  if (vb === null && va !== null) return -1;
  let order = 0;
  if (va !== null && vb !== null) {
    order = typeof va === 'string' || typeof vb === 'string' ? String(va).localeCompare(String(vb)) : va - vb;
    if (sort.direction === 'desc') order = -order;
  }
  return (
    order ||
    APPROACHES.indexOf(a.approach) - APPROACHES.indexOf(b.approach) ||
    (a.source ?? '').localeCompare(b.source ?? '') ||
    a.trainSize - b.trainSize ||
    a.seed - b.seed ||
    a.id - b.id
  );
}

export function matchesFilter(trial: TrialRecord, filter: TrialFilter): boolean {
  if (filter.statuses.length > 0 && !filter.statuses.includes(trial.status)) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const fields = [
    trial.approach,
    trial.source ?? '',
    trial.status,
    trial.backend ?? '',
    trial.device ?? '',
    trial.error ?? '',
  ]
    .join(' ')
    .toLowerCase();
  const exact = new Set([`size=${trial.trainSize}`, `seed=${trial.seed}`, `id=${trial.id}`, String(trial.trainSize)]);
  // "size=10" and "seed=0" match exactly (so size=10 does not match size=100); other words match anywhere.
  return words.every((w) => exact.has(w) || (!w.includes('=') && fields.includes(w)));
}

/** The rows the table shows: filtered, then sorted. */
export function tableRows(trials: readonly TrialRecord[], filter: TrialFilter, sort: TrialSort): TrialRecord[] {
  return trials.filter((t) => matchesFilter(t, filter)).sort((a, b) => compareTrials(a, b, sort));
}

/** Clicking a column header: a new column sorts ascending (metrics where higher is better: descending); the same column flips. */
export function nextSort(current: TrialSort, key: TrialSortKey): TrialSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: key === 'testAccuracy' ? 'desc' : 'asc' };
}

/** Number of trials per status, for the filter chips. */
export function statusCounts(trials: readonly TrialRecord[]): Record<TrialStatus, number> {
  const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as Record<TrialStatus, number>;
  for (const t of trials) counts[t.status] += 1;
  return counts;
}

/** The learning rate kept, marked when it sat at an edge of a list of candidates ("0.003 ↑", "0.0003 ↓"). */
export function learningRateLabel(trial: TrialRecord): string {
  if (trial.learningRate === null) return '—';
  const rates = trial.lrCandidates.map((c) => c.learningRate);
  if (rates.length < 2) return String(trial.learningRate);
  if (trial.learningRate === Math.max(...rates)) return `${trial.learningRate} ↑`;
  if (trial.learningRate === Math.min(...rates)) return `${trial.learningRate} ↓`;
  return String(trial.learningRate);
}

/** Every candidate's lowest validation loss, for the learning-rate cell's tooltip. */
export function candidatesTitle(trial: TrialRecord): string | undefined {
  if (trial.lrCandidates.length < 2) return undefined;
  const lines = trial.lrCandidates.map((c) => {
    const loss = c.bestValLoss === null ? 'no finite loss' : `val loss ${c.bestValLoss.toFixed(4)}`;
    const note = c.diverged ? ', diverged' : c.pruned ? `, stopped early at step ${c.steps}` : '';
    return `${c.learningRate === trial.learningRate ? '▸ ' : '  '}${c.learningRate}: ${loss}${note}`;
  });
  return `Learning rates tried (kept: lowest validation loss; ↑/↓ at the edge of the list)\n${lines.join('\n')}`;
}

/** How the trial chose its model: "8+2" (train + validation examples) or "5-fold, 180 steps". */
export function protocolLabel(trial: TrialRecord): string {
  const p = trial.protocol;
  if (!p) return '—';
  return p.kind === 'holdout' ? `${p.trainExamples}+${p.valExamples}` : `${p.folds}-fold, ${p.chosenSteps} steps`;
}

/** Who ran a trial of a distributed run: "host · pid 1234 slot 1", and the attempt when it was retried; "—" if none. */
export function workerLabel(trial: TrialRecord): string {
  const w = trial.worker;
  if (!w) return '—';
  return `${w.host} · ${w.name}${w.attempts > 1 ? ` · attempt ${w.attempts}` : ''}`;
}
