import type { Approach } from '../domain.js';

/** How sentences and tables name an approach. */
export const APPROACH_LABELS: Record<Approach, string> = {
  scratch: 'scratch',
  finetune: 'fine-tuning',
  'linear-probe': 'the linear probe',
  partial: 'partial fine-tuning',
};

/** The label with a capital first letter, to start a sentence. */
/** "fine-tuning", or "fine-tuning from fashion" for an approach from one of several sources. */
export function approachLabel(arm: { approach: Approach; source?: string }): string {
  return arm.source === undefined
    ? APPROACH_LABELS[arm.approach]
    : `${APPROACH_LABELS[arm.approach]} from ${arm.source}`;
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Drops a trailing ".0" (and any trailing zeros after the decimal point). */
function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A difference or spread in accuracy (0.182) as percentage points with one decimal ("18.2"). */
export function formatPoints(fraction: number): string {
  const text = (fraction * 100).toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

/** A tolerance or threshold in accuracy as points without needless decimals: 0.01 → "1 point", 0.025 → "2.5 points". */
export function formatPointsPhrase(fraction: number): string {
  const text = trimZeros((fraction * 100).toFixed(2));
  return `${text} ${text === '1' ? 'point' : 'points'}`;
}

/** An accuracy (0.8123) as a percentage with one decimal ("81.2%"). */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A training-set size with thousands separators ("2,000"); non-integers (interpolated sizes) rounded. */
export function formatSize(size: number): string {
  return Math.round(size).toLocaleString('en-US');
}

/**
 * A data multiplier: whole numbers from 10 up ("12"), one decimal from 1 ("3.2"), two significant digits below 1
 * ("0.53", "0.052": scratch needs a twentieth of the data, never "0.0").
 */
export function formatMultiplier(multiplier: number): string {
  if (multiplier >= 10) return Math.round(multiplier).toLocaleString('en-US');
  return trimZeros(multiplier >= 1 ? multiplier.toFixed(1) : multiplier.toPrecision(2));
}

/** Seconds with sensible precision ("0.42 s", "3.2 s", "125 s"). */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${seconds.toFixed(2)} s`;
  if (seconds < 100) return `${seconds.toFixed(1)} s`;
  return `${Math.round(seconds).toLocaleString('en-US')} s`;
}

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Floating-point operations with an SI prefix ("2.3 TFLOP"). */
export function formatFlops(flops: number): string {
  let value = flops;
  let index = 0;
  while (Math.abs(value) >= 1000 && index < SI_PREFIXES.length - 1) {
    value /= 1000;
    index++;
  }
  return `${trimZeros(value.toFixed(value >= 100 ? 0 : 1))} ${SI_PREFIXES[index]}FLOP`;
}

/** "1 seed", "3 seeds". */
export function plural(count: number, noun: string, pluralNoun: string = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : pluralNoun}`;
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/** A p-value as the report prints it: 0 (no spread in the differences), 3 decimals, or 2 digits below 0.001. */
export function formatP(p: number): string {
  return p === 0 ? '0' : p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
