import type { TrialKey, TrialRecord } from '../domain.js';
import { nextRound, type DesignStep } from '../design/adaptive-design.js';
import { adaptiveSettingsOf, designTrial } from '../design/suite-design.js';
import type { SuiteSpec } from '../spec/suite-schema.js';
import type { Store } from '../store/store.js';

/** Round 0 of an adaptive suite (its coarse sizes and first seeds), or null for a fixed grid. */
export function firstRound(spec: SuiteSpec): TrialKey[] | null {
  const settings = adaptiveSettingsOf(spec);
  if (!settings) return null;
  const step = nextRound(settings, []);
  return step.kind === 'add' ? step.trials.map(({ reason: _reason, ...key }) => key) : [];
}

/**
 * After a round's trials are all finished: the next round of an adaptive suite, from its stored trials (the design is
 * a function of them, so a resumed run continues the same design), added to the store for the run `token`. Returns
 * the added trials with the step that chose them, or null for a fixed grid or a design that stopped (the step says why).
 */
export async function addNextRound(
  store: Store,
  suiteId: number,
  token: string,
  spec: SuiteSpec,
): Promise<{ step: DesignStep; added: TrialRecord[] } | null> {
  const settings = adaptiveSettingsOf(spec);
  if (!settings) return null;
  const step = nextRound(settings, (await store.listTrials(suiteId)).map(designTrial));
  if (step.kind === 'stop') return { step, added: [] };
  const added = await store.addTrials(
    suiteId,
    token,
    step.trials.map(({ reason: _reason, ...key }) => key),
  );
  return { step, added };
}

/** `run --adaptive`: the suite with the design in place of its own (design/suite-design.ts), for the runners above. */
export { withDesign } from '../design/suite-design.js';
