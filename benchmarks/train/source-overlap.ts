/**
 * What a source task shares with the target: class names (a warning: the transferred model has seen those classes)
 * and images, found by the hash of their decoded content. A target test image in the source's training data is
 * refused: pretraining on it leaks the test set into every transferred model. Target training images there are a
 * warning. Tables are not compared (equal rows are common in tables and are not copies). Texts are compared, but a
 * shared text is a warning only: short boilerplate texts ("transitional package") recur across labels without being
 * copies of the target's test set.
 */
import { createHash } from 'node:crypto';
import { pixelsPerImage, type LabelledImages } from '../datasets/labelled-images.js';
import { UserError } from '../errors.js';

interface Task {
  pool: LabelledImages;
  test: LabelledImages;
  standardise: boolean;
  /** Set for a text task (token ids in place of pixels). */
  vocabulary?: unknown;
}

function contentHash(data: LabelledImages, index: number): string {
  const size = pixelsPerImage(data) * data.images.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(data.images.buffer, data.images.byteOffset + index * size, size);
  return createHash('sha1').update(bytes).digest('base64');
}

/** Indices of `data`'s examples whose content is in `hashes`. */
function found(data: LabelledImages, hashes: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.count; i++) if (hashes.has(contentHash(data, i))) out.push(i);
  return out;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Warnings (lines starting "warning: ") about what the source shares with the target; throws a UserError when a
 * target test image is in the source's training data (its pool: what pretraining trains on).
 */
export function checkSourceOverlap(target: Task, source: Task): string[] {
  const notices: string[] = [];
  const shared = target.pool.classNames.filter((name) => source.pool.classNames.includes(name));
  if (shared.length > 0) {
    const names = shared.slice(0, 5).join(', ') + (shared.length > 5 ? ', …' : '');
    notices.push(
      `warning: the source and the target share ${plural(shared.length, 'class')} (${names}): the pretrained model has seen them, so fine-tuning measures less transfer to new classes than it seems; use source classes the target does not have, unless that is what you mean to measure`,
    );
  }
  const sameShape = pixelsPerImage(target.pool) === pixelsPerImage(source.pool);
  if (target.standardise || source.standardise || !sameShape) return notices;
  const hashes = new Set<string>();
  for (let i = 0; i < source.pool.count; i++) hashes.add(contentHash(source.pool, i));
  const leaked = found(target.test, hashes);
  const text = target.vocabulary !== undefined;
  if (leaked.length > 0 && text) {
    notices.push(
      `warning: ${leaked.length} of the target's ${target.test.count} test texts also appear in the source's training data (the same tokens): the pretrained model has seen those texts, under the source's labels`,
    );
  } else if (leaked.length > 0) {
    const first = target.test.classNames[target.test.labels[leaked[0]!]!];
    throw new UserError(
      `${leaked.length} of the target's ${target.test.count} test images are also in the source's training data (same content; the first is of class "${first}"): pretraining on them leaks the test set into every transferred model; remove them from the source data, or pretrain on data that does not hold the target's images`,
    );
  }
  const inPool = found(target.pool, hashes);
  if (inPool.length > 0) {
    notices.push(
      `warning: ${inPool.length} of the target's ${target.pool.count} training ${text ? 'texts' : 'images'} are also in the source's training data (same content): the pretrained model has seen them`,
    );
  }
  return notices;
}
