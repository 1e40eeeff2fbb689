import type { SuiteAnalysis } from '../analysis/analyze-suite.js';
import {
  formatFlops,
  formatPercent,
  formatPointsPhrase,
  formatSeconds,
  formatSize,
  joinList,
  plural,
} from '../analysis/format.js';
import type { SuiteRecord, TrialRecord } from '../domain.js';
import { describeArchitecture } from '../spec/describe-architecture.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { describeInputFit, describeModelOrigin, describePretrainedModel } from '../spec/describe-pretrained.js';

/** Where the fine-tuning variants start from, in words. */
export function describeSource(suite: SuiteRecord): string | null {
  if (suite.spec.sources) {
    return suite.spec.sources
      .map((s) =>
        s.pretrain ? describeDataset(s.pretrain.dataset) : describeModelOrigin(s.pretrainedModel?.path ?? ''),
      )
      .join(' or on ');
  }
  if (suite.spec.pretrain) return describeDataset(suite.spec.pretrain.dataset);
  if (suite.pretrain) return suite.pretrain.sourceDescription;
  if (suite.spec.pretrainedModel) return describeModelOrigin(suite.spec.pretrainedModel.path);
  return null;
}

export function question(suite: SuiteRecord): string {
  const source = describeSource(suite);
  const target = describeDataset(suite.spec.target.dataset);
  const start = source
    ? `Should we fine-tune a model pretrained on ${source}`
    : 'Should we fine-tune a pretrained model';
  return `${start} or train from scratch on ${target}, and from how much training data on does the choice stop mattering?`;
}

function distinct(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ''))];
}

/** The setup as term/value pairs, from the suite record, its spec and its trials. */
export function setupItems(
  suite: SuiteRecord,
  analysis: SuiteAnalysis,
  trials: readonly TrialRecord[],
): [string, string][] {
  const { spec, env } = suite;
  const counts = Object.entries(analysis.statusCounts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  const own = trials.filter((t) => t.suiteId === suite.id);
  const backends = distinct(own.map((t) => t.backend));
  const devices = distinct(own.map((t) => t.device));
  const items: [string, string][] = [
    [
      'Suite',
      `${suite.name} (id ${suite.id}, ${suite.status}, created ${suite.createdAt}${suite.finishedAt ? `, finished ${suite.finishedAt}` : ''})`,
    ],
  ];
  if (spec.description) items.push(['Description', spec.description]);
  items.push(
    [
      'Target data',
      `${describeDataset(spec.target.dataset)}; ${spec.target.testPerClass} test examples per class, the same for every trial`,
    ],
    ['Architecture', describeArchitecture(spec.architecture)],
    spec.design?.kind === 'adaptive'
      ? [
          'Training-set sizes',
          `chosen by the adaptive design between ${formatSize(spec.sizes[0]!)} and ${formatSize(spec.sizes.at(-1)!)}: ${[
            ...new Set(trials.map((t) => t.trainSize)),
          ]
            .sort((a, b) => a - b)
            .map(formatSize)
            .join(', ')} examples (validation split included)`,
        ]
      : ['Training-set sizes', `${spec.sizes.map(formatSize).join(', ')} examples (validation split included)`],
    spec.design?.kind === 'adaptive'
      ? ['Seeds', `${spec.seeds.join(', ')} (taken in this order, as many per size as the adaptive design chose)`]
      : ['Seeds', `${spec.seeds.join(', ')} (${plural(spec.seeds.length, 'seed')} per approach and size)`],
    [
      'Validation',
      `${formatPercent(spec.validationFraction)} of each training subset, evaluated every ${spec.evalEverySteps} steps or more`,
    ],
    ['Trials', `${plural(own.length, 'trial')}: ${counts.join(', ') || 'none'}`],
  );
  if (spec.pretrain) {
    const p = spec.pretrain;
    items.push([
      'Pretraining',
      `${describeDataset(p.dataset)}, ${p.epochs} epochs, learning rate ${p.learningRate}, batch size ${p.batchSize}, seed ${p.seed}`,
    ]);
  }
  if (spec.pretrainedModel) items.push(['Pretrained model', describePretrainedModel(spec.pretrainedModel)]);
  const fit = describeInputFit(spec);
  if (fit) items.push(['Input', fit]);
  for (const s of spec.sources ?? []) {
    items.push([
      `Source ${s.name}`,
      s.pretrain
        ? `pretraining on ${describeDataset(s.pretrain.dataset)}, ${plural(s.pretrain.epochs, 'epoch')}, learning rate ${s.pretrain.learningRate}, batch size ${s.pretrain.batchSize}, seed ${s.pretrain.seed}`
        : `the model ${describePretrainedModel(s.pretrainedModel!)}`,
    ]);
  }
  const cost = analysis.cost.pretrain;
  if (cost) {
    const parts = [
      cost.wallSeconds !== null ? formatSeconds(cost.wallSeconds) : 'time not recorded',
      cost.trainFlops !== null ? formatFlops(cost.trainFlops) : null,
      cost.sourceTestAccuracy !== null
        ? `${formatPercent(cost.sourceTestAccuracy)} test accuracy on the source task`
        : null,
      cost.reused ? 'reused from an earlier run' : 'run for this suite',
      cost.amortisedWallSeconds !== null
        ? `${formatSeconds(cost.amortisedWallSeconds)}${cost.amortisedTrainFlops !== null ? ` and ${formatFlops(cost.amortisedTrainFlops)}` : ''} per fine-tuning trial over ${plural(cost.fineTuningTrials, 'trial')}`
        : null,
    ].filter((p): p is string => p !== null);
    items.push(['Pretraining cost', parts.join('; ')]);
  }
  items.push(
    ['Backend', `${env.backend ?? 'not recorded'}${backends.length > 0 ? ` (trials: ${joinList(backends)})` : ''}`],
    ['Device', `${env.device ?? 'not recorded'}${devices.length > 0 ? ` (trials: ${joinList(devices)})` : ''}`],
    [
      'Environment',
      `Transfer Bench ${env.appVersion}, Node ${env.nodeVersion}, TensorFlow.js ${env.tfjsVersion}, ${env.platform} ${env.arch}, ${env.cpus}`,
    ],
    ['Crossover tolerance', formatPointsPhrase(analysis.tolerance)],
  );
  const target = analysis.cost.target;
  if (target) {
    items.push([
      'Target accuracy',
      target.source === 'user'
        ? `${formatPercent(target.value)} validation accuracy (set for this analysis)`
        : `${formatPercent(target.value)} validation accuracy (the best fine-tuning variant's mean best validation accuracy at the smallest size, ${formatSize(target.trainSize ?? 0)})`,
    ]);
  }
  return items;
}
