import { isTrialFinal, type SuiteStatus, type TrialStatus } from '$engine/domain.js';

/** What a resume can offer for a suite: the unfinished trials it would run, the failed ones it could run again. */
export interface ResumeChoice {
  /** Trials not finished yet (pending, running, cancelled): what every resume runs. */
  unfinished: number;
  /** Failed trials: run again only with "Retry failed trials". */
  failed: number;
  /** Whether to offer "Retry failed trials" at all. */
  canRetryFailed: boolean;
}

export function resumeChoice(status: SuiteStatus, trials: readonly { status: TrialStatus }[]): ResumeChoice {
  const unfinished = trials.filter((t) => !isTrialFinal(t.status)).length;
  const failed = trials.filter((t) => t.status === 'failed').length;
  return { unfinished, failed, canRetryFailed: status !== 'running' && failed > 0 };
}

/** The resume button's label, or null when there is nothing to resume with these options. */
export function resumeLabel(choice: ResumeChoice, retryFailed: boolean): string | null {
  const again = retryFailed && choice.canRetryFailed ? choice.failed : 0;
  if (choice.unfinished === 0 && again === 0) return null;
  if (choice.unfinished === 0) return `Retry ${again} failed`;
  return again > 0 ? `Resume (${choice.unfinished} left + ${again} failed)` : `Resume (${choice.unfinished} left)`;
}

/**
 * The engine's refusal to resume a suite another live run holds (store/store.ts claimSuite): the one refusal
 * that resuming with `force` answers. A run of the suite inside this engine is refused otherwise ("already running
 * here"): force does not help there; cancel it instead.
 */
export function isHeldByAnotherRun(message: string): boolean {
  return /\bis already being run \(/.test(message);
}
