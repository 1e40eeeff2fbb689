/**
 * The suite's answer in one plain sentence, with what to do and how sure it is, and the crossover in words: read off
 * the same comparisons the Answer table and the report's tables show (analysis/comparison.ts), so that the app and
 * the report say the same thing. The app (through charts/answer-text.ts) and the report call these functions; nothing
 * else words the answer.
 *
 * A size counts as "better" or "worse" when the difference is beyond the crossover tolerance and its 95% interval
 * excludes 0 (with one seed on a side, on the point estimate alone, and the confidence says so); otherwise the two
 * are "level" there (within the tolerance) or "not clearly different" (beyond it, but the interval includes 0). A
 * lead the "needs less data" claim shows (claims.ts leadEvidence: a paired test after Holm, or a pooled Wilcoxon test
 * over a run of adjacent sizes) is "better" too, so the sentence and the Claims table never disagree.
 */
import type { SuiteSpec } from '../spec/suite-schema.js';
import { describeDataset } from '../spec/describe-dataset.js';
import { suiteSources } from '../spec/sources.js';
import { leadEvidence } from './claims.js';
import type { SizeComparison, VariantComparison } from './comparison.js';
import { approachLabel, APPROACH_LABELS, capitalised, formatPoints, formatPointsPhrase, formatSize } from './format.js';

/** Absorbs floating-point noise in comparisons with the tolerance. */
const EPSILON = 1e-9;

export type SizeVerdict = 'better' | 'worse' | 'level' | 'unclear';

export interface PlainAnswer {
  /** "On this data, fine-tuning from X is 4.1–12.3 points better up to about 100 examples; …". */
  sentence: string;
  /** What to do: "Fine-tune from X if you have fewer than about 250 examples; …". */
  advice: string;
  confidence: 'high' | 'medium' | 'low';
  /** Why that confidence, in a sentence. */
  confidenceReason: string;
}

/** What a variant is at one size against scratch. */
export function sizeVerdict(size: SizeComparison, tolerance: number): SizeVerdict | null {
  const d = size.difference;
  if (!d) return null;
  if (Math.abs(d.difference) <= tolerance + EPSILON) return 'level';
  if (d.significant === false) return 'unclear';
  return d.difference > 0 ? 'better' : 'worse';
}

/** A difference at zero (to the tenth of a point shown) reads "level", never "±0.0" or "scratch ahead". */
export function isLevel(difference: number): boolean {
  return formatPoints(Math.abs(difference)) === '0.0';
}

/** The source a single-source suite's transfer approaches start from, as a reader knows it. */
export function sourceLabel(spec: SuiteSpec): string | null {
  const [only, ...more] = suiteSources(spec);
  if (!only || more.length > 0) return null;
  if (only.pretrain) return describeDataset(only.pretrain.dataset);
  const path = only.pretrainedModel?.path ?? '';
  return `the model ${path.split(/[\\/]/).filter(Boolean).slice(-2).join('/')}`;
}

/** "fine-tuning from MNIST (…)" for the only source, "fine-tuning from fashion" for a named one. */
function variantLabel(c: VariantComparison, source: string | null): string {
  if (c.source !== undefined) return approachLabel(c);
  return c.approach === 'finetune' && source
    ? `${APPROACH_LABELS.finetune} from ${source}`
    : APPROACH_LABELS[c.approach];
}

/**
 * The verdict of each size of a variant: sizeVerdict, with a lead the claims' evidence shows (per size or pooled over
 * adjacent sizes) counted as "better".
 */
export function variantVerdicts(c: VariantComparison, tolerance: number): Map<SizeComparison, SizeVerdict | null> {
  const evidence = new Map(leadEvidence(c.sizes, tolerance).sizes.map((e) => [e.trainSize, e.evidence]));
  return new Map(
    c.sizes.map((size) => {
      const shown = evidence.get(size.trainSize);
      const verdict = shown === 'shown' || shown === 'shown-pooled' ? 'better' : sizeVerdict(size, tolerance);
      return [size, verdict];
    }),
  );
}

interface Run {
  verdict: SizeVerdict;
  sizes: SizeComparison[];
}

/** Consecutive sizes with the same verdict ("level" and "unclear" kept apart). */
function runs(c: VariantComparison, tolerance: number): Run[] {
  const out: Run[] = [];
  const verdicts = variantVerdicts(c, tolerance);
  for (const size of c.sizes) {
    const verdict = verdicts.get(size) ?? null;
    if (verdict === null) continue;
    const last = out[out.length - 1];
    if (last && last.verdict === verdict) last.sizes.push(size);
    else out.push({ verdict, sizes: [size] });
  }
  return out;
}

/** "4.1" or "4.1–12.3": the smallest to the largest of sorted non-negative differences, in points. */
function pointsSpan(sorted: readonly number[]): string {
  const low = formatPoints(sorted[0]!);
  const high = formatPoints(sorted[sorted.length - 1]!);
  return low === high ? low : `${low}–${high}`;
}

/** "4.1 points" or "4.1–12.3 points": the size of the differences of a run, smallest to largest. */
function pointsRange(sizes: readonly SizeComparison[]): string {
  return `${pointsSpan(sizes.map((s) => Math.abs(s.difference!.difference)).sort((a, b) => a - b))} points`;
}

function sizeRange(sizes: readonly SizeComparison[]): string {
  const first = sizes[0]!.trainSize;
  const last = sizes[sizes.length - 1]!.trainSize;
  return first === last ? `${formatSize(first)} examples` : `${formatSize(first)}–${formatSize(last)} examples`;
}

const isNeutral = (v: SizeVerdict) => v === 'level' || v === 'unclear';

/** The fewest seeds on either side at any of `sizes`. */
const fewestSeeds = (sizes: readonly SizeComparison[]) =>
  Math.min(...sizes.map((s) => Math.min(s.variantN, s.scratchN)));

/** One variant against scratch over the sizes run, as a clause ("the linear probe is worse everywhere (…)"). */
export function variantClause(c: VariantComparison, tolerance: number, source: string | null = null): string | null {
  const label = variantLabel(c, source);
  const parts = runs(c, tolerance);
  if (parts.length === 0) return null;
  const all = parts.flatMap((r) => r.sizes);
  if (parts.every((r) => isNeutral(r.verdict))) {
    if (parts.every((r) => r.verdict === 'level'))
      return `${label} is level with scratch at every size run (within ${formatPointsPhrase(tolerance)})`;
    // Behind (or ahead) beyond the tolerance at every size, yet no size shown: say which way the means point, so the
    // sentence does not read "no clear difference" beside a crossover column that says scratch is 16 points ahead.
    const differences = all.map((s) => s.difference!.difference);
    const notShown = `no size shown by a corrected test with ${fewestSeeds(all)} seeds`;
    if (differences.every((d) => d < -tolerance - EPSILON))
      return `${label} trails scratch at every size run, by ${pointsRange(all)} (${notShown})`;
    if (differences.every((d) => d > tolerance + EPSILON))
      return `${label} is ahead of scratch at every size run, by ${pointsRange(all)} (${notShown})`;
    return `${label} makes no clear difference at any size run (${sizeRange(all)})`;
  }
  if (parts.length === 1) {
    const [run] = parts;
    return run!.verdict === 'better'
      ? `${label} is ${pointsRange(run!.sizes)} better at every size run, up to ${formatSize(all[all.length - 1]!.trainSize)} examples`
      : `${label} is worse everywhere (${pointsRange(run!.sizes)} behind at ${sizeRange(all)})`;
  }
  // Ahead (or behind) at the small sizes, then no difference that matters from some size on.
  const [head, ...rest] = parts;
  if (!isNeutral(head!.verdict) && rest.every((r) => isNeutral(r.verdict))) {
    const lastOfHead = head!.sizes[head!.sizes.length - 1]!.trainSize;
    const firstAfter = rest[0]!.sizes[0]!.trainSize;
    return `${label} is ${pointsRange(head!.sizes)} ${head!.verdict} up to about ${formatSize(lastOfHead)} examples; from ${formatSize(firstAfter)} on it does not matter`;
  }
  const words: Record<SizeVerdict, string> = {
    better: 'better',
    worse: 'worse',
    level: 'level',
    unclear: 'not clearly different',
  };
  return `${label} is ${parts.map((r) => `${words[r.verdict]} at ${sizeRange(r.sizes)}`).join(', ')}`;
}

/**
 * The crossover in words, the same in the app's Answer table, the report and the chart's caption: from which size on
 * scratch is within the tolerance of the variant or ahead of it, and which of the two, with by how much it is ahead:
 * "ahead at every size run, by 8.0–10.0 points" (beyond the tolerance at every size from the crossover on), "level
 * (within 1 point)" (within it at every one) or "level (within 1 point) or ahead, by up to 3.0 points" (some of each).
 */
export function crossoverWording(c: VariantComparison, tolerance: number): string {
  const tol = formatPointsPhrase(tolerance);
  const cross = c.crossover;
  switch (cross.kind) {
    case 'no-data':
      return 'no size with results for both yet';
    case 'not-reached':
      return `no crossover within the sizes run: at ${formatSize(cross.largestSize)} examples, the largest, scratch is still ${formatPoints(cross.gap)} points behind`;
    case 'reached': {
      const after = c.sizes.filter((s) => s.trainSize >= cross.trainSize && s.difference);
      const leads = after.map((s) => -s.difference!.difference);
      const ahead = leads.filter((lead) => lead > tolerance + EPSILON).sort((a, b) => a - b);
      const where = cross.atSmallestSize ? ' at every size run' : '';
      const how =
        ahead.length === 0
          ? `level (within ${tol})${where}`
          : ahead.length === leads.length
            ? `ahead${where}, by ${pointsSpan(ahead)} points`
            : `level (within ${tol}) or ahead${where}, by up to ${formatPoints(ahead[ahead.length - 1]!)} points`;
      return cross.atSmallestSize
        ? `no crossover: scratch is ${how}`
        : `crossover at ${formatSize(cross.trainSize)} examples: from there on scratch is ${how}`;
    }
  }
}

/** How sure the answer is, from the seeds, the intervals and what is missing. */
function confidenceOf(
  comparisons: readonly VariantComparison[],
  tolerance: number,
  incompleteGroups: number,
): Pick<PlainAnswer, 'confidence' | 'confidenceReason'> {
  const sizes = comparisons.flatMap((c) => c.sizes).filter((s) => s.difference);
  if (sizes.length === 0) return { confidence: 'low', confidenceReason: 'no size has results for both yet' };
  const fewest = fewestSeeds(sizes);
  if (fewest < 2) {
    return {
      confidence: 'low',
      confidenceReason:
        'one seed on a side at some size, so no interval: "better" and "worse" rest on single runs; run more seeds',
    };
  }
  const verdicts = comparisons.flatMap((c) => [...variantVerdicts(c, tolerance).values()]);
  const decided = verdicts.filter((v) => v === 'better' || v === 'worse');
  const unclear = verdicts.filter((v) => v === 'unclear').length;
  const widest = Math.max(
    ...sizes.map((s) => (s.difference!.interval ? s.difference!.interval.high - s.difference!.interval.low : 0)),
  );
  const reasons = [
    `${fewest} or more seeds per size`,
    decided.length > 0 ? `every "better" or "worse" shown by a corrected test (as in the claims)` : null,
    unclear > 0 ? `${unclear} of ${sizes.length} comparisons not clearly different` : null,
    `95% intervals up to ±${formatPoints(widest / 2)} points`,
    incompleteGroups > 0 ? `${incompleteGroups} approach-and-size groups missing trials` : null,
  ].filter((r): r is string => r !== null);
  const confidence =
    incompleteGroups === 0 && fewest >= 3 && widest / 2 <= 0.05 && unclear * 4 <= sizes.length
      ? 'high'
      : incompleteGroups > 0 || widest / 2 > 0.15
        ? 'low'
        : 'medium';
  return { confidence, confidenceReason: reasons.join('; ') };
}

/** What to do, from the comparison of the best variant at each size. */
function adviceOf(comparisons: readonly VariantComparison[], tolerance: number, source: string | null): string {
  const sizes = [...new Set(comparisons.flatMap((c) => c.sizes.map((s) => s.trainSize)))].sort((a, b) => a - b);
  const verdicts = comparisons.map((c) => variantVerdicts(c, tolerance));
  const helps = (size: number) =>
    comparisons.some((c, k) => {
      const s = c.sizes.find((x) => x.trainSize === size);
      return s !== undefined && verdicts[k]!.get(s) === 'better';
    });
  const helped = sizes.filter(helps);
  const range =
    sizes.length > 1 ? `${formatSize(sizes[0]!)}–${formatSize(sizes[sizes.length - 1]!)}` : formatSize(sizes[0] ?? 0);
  const from = source ? ` from ${source}` : '';
  if (helped.length === 0) {
    // "does not help" only when no variant is ahead beyond the tolerance anywhere; a lead no test shows yet is "not
    // shown", which more seeds could change (the claims say how many)
    const leadNotShown = comparisons.some((c, k) =>
      c.sizes.some((s) => verdicts[k]!.get(s) === 'unclear' && s.difference!.difference > tolerance + EPSILON),
    );
    return leadNotShown
      ? `Train from scratch unless more seeds show otherwise: the pretrained model is not shown to help at ${range} examples here, though it is ahead where the difference is not significant.`
      : `Train from scratch: the pretrained model does not help at ${range} examples here.`;
  }
  const lastHelped = helped[helped.length - 1]!;
  const after = sizes.find((s) => s > lastHelped);
  if (after === undefined)
    return `Fine-tune${from}: it is better up to the largest size run (${formatSize(lastHelped)} examples).`;
  return `Fine-tune${from} if you have fewer than about ${formatSize(after)} examples; from ${formatSize(after)} on, training from scratch does as well.`;
}

/**
 * The answer of a suite in one sentence, with advice and confidence; null when no fine-tuning variant has results
 * beside scratch (a scratch-only suite, or nothing finished yet).
 */
export function plainAnswer(
  analysis: {
    comparisons: readonly VariantComparison[];
    tolerance: number;
    incomplete: readonly unknown[];
  },
  spec: SuiteSpec,
): PlainAnswer | null {
  const source = sourceLabel(spec);
  const clauses = analysis.comparisons
    .map((c) => variantClause(c, analysis.tolerance, source))
    .filter((c): c is string => c !== null);
  if (clauses.length === 0) return null;
  return {
    sentence: `On this data, ${clauses.join('; ')}.`,
    advice: adviceOf(analysis.comparisons, analysis.tolerance, source),
    ...confidenceOf(analysis.comparisons, analysis.tolerance, analysis.incomplete.length),
  };
}

/** The crossover of each variant as a line of the report ("Fine-tuning vs scratch: crossover at 250 examples: …"). */
export function crossoverLines(comparisons: readonly VariantComparison[], tolerance: number): string[] {
  return comparisons.map((c) => `${capitalised(approachLabel(c))} vs scratch: ${crossoverWording(c, tolerance)}.`);
}
