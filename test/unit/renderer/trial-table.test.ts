import { describe, expect, it } from 'vitest';
import {
  candidatesTitle,
  learningRateLabel,
  nextSort,
  protocolLabel,
  statusCounts,
  tableRows,
  workerLabel,
} from '../../../renderer/src/lib/trials/trial-table.js';
import { trialRecord } from '../../support/records.js';

describe('trials table rows', () => {
  const trials = [
    trialRecord({ id: 1, approach: 'finetune', trainSize: 100, testAccuracy: 0.9, backend: 'wasm' }),
    trialRecord({ id: 2, approach: 'scratch', trainSize: 10, testAccuracy: 0.4, backend: 'cpu' }),
    trialRecord({
      id: 3,
      approach: 'scratch',
      trainSize: 100,
      status: 'failed',
      testAccuracy: null,
      error: 'Out of memory',
    }),
    trialRecord({ id: 4, approach: 'linear-probe', trainSize: 10, testAccuracy: 0.7, status: 'diverged' }),
  ];
  const all = { text: '', statuses: [] };

  it('sorts by a metric with missing values last in either direction', () => {
    const asc = tableRows(trials, all, { key: 'testAccuracy', direction: 'asc' }).map((t) => t.id);
    const desc = tableRows(trials, all, { key: 'testAccuracy', direction: 'desc' }).map((t) => t.id);
    expect(asc).toEqual([2, 4, 1, 3]);
    expect(desc).toEqual([1, 4, 2, 3]);
  });

  it('sorts approaches in their natural order, ties by size', () => {
    expect(tableRows(trials, all, { key: 'approach', direction: 'asc' }).map((t) => t.id)).toEqual([2, 3, 1, 4]);
  });

  it('filters by status and by every word of the text', () => {
    expect(
      tableRows(trials, { text: '', statuses: ['failed', 'diverged'] }, { key: 'id', direction: 'asc' }),
    ).toHaveLength(2);
    expect(
      tableRows(trials, { text: 'memory', statuses: [] }, { key: 'id', direction: 'asc' }).map((t) => t.id),
    ).toEqual([3]);
    expect(
      tableRows(trials, { text: 'scratch size=10', statuses: [] }, { key: 'id', direction: 'asc' }).map((t) => t.id),
    ).toEqual([2]);
  });

  it('flips the direction on the same column and starts accuracy descending', () => {
    expect(nextSort({ key: 'id', direction: 'asc' }, 'id')).toEqual({ key: 'id', direction: 'desc' });
    expect(nextSort({ key: 'id', direction: 'asc' }, 'testAccuracy')).toEqual({
      key: 'testAccuracy',
      direction: 'desc',
    });
  });

  it('counts trials per status', () => {
    expect(statusCounts(trials)).toMatchObject({ done: 2, failed: 1, diverged: 1, pending: 0 });
  });
});

describe('learning rate and selection cells', () => {
  const candidate = (learningRate: number, bestValLoss: number | null, pruned = false) => ({
    learningRate,
    bestValLoss,
    steps: pruned ? 100 : 300,
    pruned,
    diverged: bestValLoss === null,
  });
  const lrCandidates = [candidate(0.001, 0.4), candidate(0.0003, 0.5, true), candidate(0.003, null)];

  it('marks a learning rate kept at an edge of its list, and lists every candidate', () => {
    expect(learningRateLabel(trialRecord({ learningRate: 0.001, lrCandidates }))).toBe('0.001');
    expect(learningRateLabel(trialRecord({ learningRate: 0.003, lrCandidates }))).toBe('0.003 ↑');
    expect(learningRateLabel(trialRecord({ learningRate: 0.0003, lrCandidates }))).toBe('0.0003 ↓');
    expect(learningRateLabel(trialRecord({ learningRate: 0.01, lrCandidates: [candidate(0.01, 0.3)] }))).toBe('0.01');
    expect(learningRateLabel(trialRecord())).toBe('—');
    const title = candidatesTitle(trialRecord({ learningRate: 0.001, lrCandidates }))!;
    expect(title.split('\n').slice(1)).toEqual([
      '▸ 0.001: val loss 0.4000',
      '  0.0003: val loss 0.5000, stopped early at step 100',
      '  0.003: no finite loss, diverged',
    ]);
  });

  it('says how the model was chosen', () => {
    expect(protocolLabel(trialRecord({ protocol: { kind: 'holdout', trainExamples: 8, valExamples: 2 } }))).toBe('8+2');
    expect(protocolLabel(trialRecord({ protocol: { kind: 'kfold', folds: 5, chosenSteps: 180, examples: 10 } }))).toBe(
      '5-fold, 180 steps',
    );
    expect(protocolLabel(trialRecord())).toBe('—');
  });

  it("names the worker of a distributed run's trial, and its attempt when retried", () => {
    expect(workerLabel(trialRecord({ worker: { host: 'gpu-2', name: 'pid 41 slot 1', attempts: 1 } }))).toBe(
      'gpu-2 · pid 41 slot 1',
    );
    expect(workerLabel(trialRecord({ worker: { host: 'gpu-2', name: 'pid 41 slot 2', attempts: 2 } }))).toBe(
      'gpu-2 · pid 41 slot 2 · attempt 2',
    );
    expect(workerLabel(trialRecord())).toBe('—');
  });
});
