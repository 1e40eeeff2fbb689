import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countPerClass } from '../../../benchmarks/datasets/labelled-images.js';
import { loadTask } from '../../../benchmarks/datasets/load-dataset.js';
import { fitScaling } from '../../../benchmarks/datasets/standardise.js';
import { UserError } from '../../../benchmarks/errors.js';
import type { DatasetSource } from '../../../benchmarks/spec/suite-schema.js';
import { tempDir } from './image-folder-fixtures.js';

/** Fisher's iris measurements (test/fixtures/README.md). */
const IRIS = resolve(import.meta.dirname, '..', '..', 'fixtures', 'iris.csv');
const irisLines = readFileSync(IRIS, 'utf8').trimEnd().split('\n');
const temp = tempDir('tb-table-');
afterAll(temp.cleanup);

const source = (path: string, extra: Partial<Extract<DatasetSource, { kind: 'csv' }>> = {}): DatasetSource => ({
  kind: 'csv',
  path,
  label: 'species',
  ...extra,
});

/** The iris table with line `line` (1 = header) replaced by `edit(line text)`. */
function irisWith(name: string, line: number, edit: (text: string) => string): string {
  const lines = [...irisLines];
  lines[line - 1] = edit(lines[line - 1]!);
  const path = join(temp.dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('csv source on the iris table', () => {
  it('reads features and string labels, holds out a balanced test set', async () => {
    const task = await loadTask(source(IRIS), 10, { baseDir: '/' });
    expect(task.pool.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(task.standardise).toBe(true);
    expect([task.pool.height, task.pool.width, task.pool.channels]).toEqual([1, 1, 4]);
    expect(task.pool.images).toBeInstanceOf(Float32Array);
    expect(task.test.count).toBe(30);
    expect(countPerClass(task.pool.labels, 3)).toEqual([40, 40, 40]);
    expect(task.description).toBe(
      `table ${IRIS}, classes setosa, versicolor, virginica: training pool 120, test 30 (10 per class, fixed), 4 features`,
    );
  });

  it('takes the features named, in that order', async () => {
    const task = await loadTask(source(IRIS, { features: ['petal_width', 'sepal_length'] }), 10, { baseDir: '/' });
    expect(task.pool.channels).toBe(2);
    const all = await loadTask(source(IRIS), 10, { baseDir: '/' });
    expect(task.pool.images[0]).toBe(all.pool.images[3]);
    expect(task.pool.images[1]).toBe(all.pool.images[0]);
  });

  it('fits standardisation on the rows given only', async () => {
    const task = await loadTask(source(IRIS), 10, { baseDir: '/' });
    const rows = Int32Array.from([0, 1, 2, 3]);
    const scaling = fitScaling(task.pool, rows);
    const first = [0, 1, 2, 3].map((r) => task.pool.images[r * 4] as number);
    const mean = first.reduce((a, b) => a + b, 0) / 4;
    const std = Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(scaling.mean[0]).toBeCloseTo(mean, 5);
    expect(scaling.std[0]).toBeCloseTo(std, 5);
    const other = fitScaling(task.pool, Int32Array.from([100, 101, 102, 103]));
    expect(other.mean[0]).not.toBeCloseTo(mean, 5);
  });

  it('uses a test table with the same columns instead of holding out', async () => {
    const test = join(temp.dir, 'iris-test.csv');
    writeFileSync(test, [irisLines[0], ...irisLines.slice(1).filter((_, i) => i % 10 === 0)].join('\n'));
    const task = await loadTask(source(IRIS, { test }), 5, { baseDir: '/' });
    expect(task.test.count).toBe(15);
    expect(task.pool.count).toBe(150);
  });
});

describe('csv refusals, each naming the file and what to do', () => {
  const refuse = async (path: string, message: string, extra = {}): Promise<void> => {
    await expect(loadTask(source(path, extra), 5, { baseDir: '/' })).rejects.toThrow(UserError);
    await expect(loadTask(source(path, extra), 5, { baseDir: '/' })).rejects.toThrow(message);
  };

  it('a missing value, naming line and column', async () => {
    const path = irisWith('missing.csv', 13, (l) => l.replace(/^([^,]*),([^,]*),/, '$1,,'));
    await refuse(path, `table ${path}, line 13, column "sepal_width": missing value; fill it in or delete the row`);
    const na = irisWith('na.csv', 40, (l) => l.replace(/^[^,]*/, 'NA'));
    await refuse(na, `table ${na}, line 40, column "sepal_length": missing value ("NA")`);
  });

  it('a feature that is not a number, naming line and column', async () => {
    const path = irisWith('text.csv', 77, (l) => l.replace(/,([^,]*),([^,]*)$/, ',$1 cm,$2'));
    await refuse(path, `table ${path}, line 77, column "petal_width": "`);
    await refuse(path, `is not a number; features must be numeric`);
  });

  it('defect 2: a number beyond float32 range (1e39, 1e999, -4e38) is refused, naming line and column', async () => {
    for (const [name, value, line] of [
      ['big.csv', '1e39', 21],
      ['huge.csv', '1e999', 22],
      ['negative.csv', '-4e38', 23],
    ] as const) {
      const path = irisWith(name, line, (l) => l.replace(/^[^,]*,[^,]*/, (m) => m.replace(/,.*/, `,${value}`)));
      await refuse(
        path,
        `table ${path}, line ${line}, column "sepal_width": ${value} does not fit a 32-bit float (at most ±3.4e38); rescale the column (e.g. to other units) or leave it out with "features"`,
      );
    }
    // The largest float32 is accepted.
    const edge = irisWith('edge.csv', 24, (l) => l.replace(/^[^,]*,[^,]*/, (m) => m.replace(/,.*/, ',3.4e38')));
    await expect(loadTask(source(edge), 5, { baseDir: '/' })).resolves.toBeDefined();
  });

  it('a label column that does not exist', async () => {
    await refuse(
      IRIS,
      `table ${IRIS} has no column "class" for the label (its columns are sepal_length, sepal_width, petal_length, petal_width, species)`,
      {
        label: 'class',
      },
    );
  });

  it('a feature column that does not exist', async () => {
    await refuse(IRIS, `table ${IRIS} has no feature column "stem_length"`, { features: ['stem_length'] });
  });

  it('a table with one class', async () => {
    const path = join(temp.dir, 'setosa.csv');
    writeFileSync(path, irisLines.filter((l, i) => i === 0 || l.endsWith('setosa')).join('\n'));
    await refuse(
      path,
      `table ${path}: the label column "species" has one value (setosa); a classifier needs at least 2 classes`,
    );
  });

  it('an empty file, a header without rows, a row with too many fields, a missing file', async () => {
    const empty = join(temp.dir, 'empty.csv');
    writeFileSync(empty, '');
    await refuse(empty, `table ${empty} is empty: it needs a header row and data rows`);
    const header = join(temp.dir, 'header.csv');
    writeFileSync(header, irisLines[0] + '\n');
    await refuse(header, `table ${header} has a header row but no data rows`);
    const ragged = irisWith('ragged.csv', 5, (l) => l + ',7.1');
    await refuse(ragged, `table ${ragged}, line 5: Invalid Record Length: expect 5, got 6`);
    await refuse(join(temp.dir, 'nope.csv'), `table ${join(temp.dir, 'nope.csv')} does not exist`);
  });

  it('a missing label, naming the line', async () => {
    const path = irisWith('nolabel.csv', 100, (l) => l.replace(/,[a-z]+$/, ','));
    await refuse(path, `table ${path}, line 100: the label "species" is missing`);
  });
});
