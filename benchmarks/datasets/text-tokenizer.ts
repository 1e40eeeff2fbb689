/**
 * Word-level tokenisation with a capped vocabulary. Words are found by the Unicode word-boundary rules (UAX #29) of
 * ICU through `Intl.Segmenter`, the maintained segmenter built into Node, lower-cased; punctuation and spaces are
 * dropped. The vocabulary is the most frequent words of the texts it is trained on (the training pool: never the
 * test set), ties broken by code point order so that the same texts always give the same vocabulary.
 *
 * Token ids: 0 is padding (`[PAD]`), 1 an unknown word (`[UNK]`), 2… the words. A vocabulary file lists one token
 * per line, line k (from 0) being id k.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';

export const PAD = '[PAD]';
export const UNK = '[UNK]';
export const PAD_ID = 0;
export const UNK_ID = 1;

// made on first use: building it loads ICU's word rules (about 30 ms), which a process that reads no text never needs
let segmenter: Intl.Segmenter | undefined;

/** The words of `text`, lower-cased, in order. */
export function words(text: string): string[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'word' });
  const out: string[] = [];
  for (const s of segmenter.segment(text.toLowerCase())) if (s.isWordLike) out.push(s.segment);
  return out;
}

/**
 * A vocabulary of at most `size` tokens (padding and unknown included) from `texts`: their most frequent words,
 * ties in code point order.
 */
export function trainVocabulary(texts: readonly string[], size: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, size - 2))
    .map(([w]) => w);
  return [PAD, UNK, ...ranked];
}

/** A vocabulary file: one token per line, line k being id k; line 0 must be padding. */
export function readVocabulary(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read vocabulary file ${path}: ${errorMessage(error)}; give a file with one word per line`,
    );
  }
  const tokens = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (tokens[tokens.length - 1] === '') tokens.pop();
  if (tokens.length < 3)
    throw new UserError(
      `vocabulary file ${path} has ${tokens.length} lines; it needs padding, an unknown word and words`,
    );
  const seen = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (seen.has(t)) {
      throw new UserError(
        `vocabulary file ${path}, line ${i + 1}: "${t}" is already on line ${seen.get(t)! + 1}; each token once`,
      );
    }
    seen.set(t, i);
  });
  return tokens;
}

/** sha256 of a vocabulary (its tokens, one per line), to record which one a run used. */
export function vocabularyHash(vocabulary: readonly string[]): string {
  return createHash('sha256').update(vocabulary.join('\n')).digest('hex');
}

export interface Encoded {
  /** count × length token ids, as floats (the data pipeline's storage: exact below 2²⁴). */
  ids: Float32Array;
  /** Texts longer than `length` words, cut. */
  truncated: number;
  /** Words not in the vocabulary, and words in all (before cutting). */
  unknown: number;
  total: number;
}

/** Token ids of `texts`, each cut or padded (with 0) to `length`. The unknown id is the vocabulary's `[UNK]`, else 1. */
export function encodeTexts(texts: readonly string[], vocabulary: readonly string[], length: number): Encoded {
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const unknownId = index.get(UNK) ?? UNK_ID;
  const ids = new Float32Array(texts.length * length);
  let truncated = 0;
  let unknown = 0;
  let total = 0;
  texts.forEach((text, r) => {
    const ws = words(text);
    if (ws.length > length) truncated++;
    total += ws.length;
    ws.forEach((w, p) => {
      const id = index.get(w);
      if (id === undefined) unknown++;
      if (p < length) ids[r * length + p] = id ?? unknownId;
    });
  });
  return { ids, truncated, unknown, total };
}

/** Words per text of `texts`: its 95th percentile, at least 8 and at most `cap`: a sequence length for them. */
export function chooseSequenceLength(texts: readonly string[], cap = 256): number {
  if (texts.length === 0) return 8;
  const lengths = texts.map((t) => words(t).length).sort((a, b) => a - b);
  const p95 = lengths[Math.min(lengths.length - 1, Math.ceil(0.95 * lengths.length) - 1)]!;
  return Math.max(8, Math.min(cap, p95));
}
