import type { DesignView } from '../contract.js';
import { fullGridSizes, type AdaptiveSettings } from './adaptive-design.js';
import type { DesignTrial } from './design-evidence.js';
import { replayDesign } from './design-history.js';

/** The design of an adaptive suite from its settings and stored trials: the rounds, how it ended, what it saved. */
export function designView(settings: AdaptiveSettings, stored: readonly DesignTrial[]): DesignView {
  const rounds = replayDesign(settings, stored);
  const last = rounds.at(-1);
  const spentSeconds = stored.reduce((s, t) => s + (t.costSeconds ?? 0), 0);
  const gridSizes = fullGridSizes(settings.minSize, settings.maxSize);
  const perSize = settings.seeds.length * settings.arms.length;
  const costed = stored.filter((t) => t.costSeconds !== null && t.costSeconds > 0);
  const perExample =
    costed.length > 0
      ? costed.reduce((s, t) => s + t.costSeconds!, 0) / costed.reduce((s, t) => s + t.trainSize, 0)
      : null;
  return {
    rounds: rounds.flatMap(({ round, step, stored: have }) =>
      step.kind === 'add'
        ? [
            {
              round,
              reasons: step.reasons,
              trials: step.trials.length,
              stored: have,
              sizes: [...new Set(step.trials.map((t) => t.trainSize))].sort((a, b) => a - b),
            },
          ]
        : [],
    ),
    stop: last?.step.kind === 'stop' ? { kind: last.step.stop, reason: last.step.reason } : null,
    trialsRun: stored.length,
    spentSeconds,
    budgetSeconds: settings.budgetSeconds ?? null,
    grid: {
      sizes: gridSizes,
      trials: gridSizes.length * perSize,
      estimatedSeconds: perExample === null ? null : gridSizes.reduce((s, n) => s + n, 0) * perSize * perExample,
    },
  };
}
