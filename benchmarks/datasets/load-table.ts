/**
 * A CSV table as labelled examples: a header row, numeric feature columns, a label column whose values (strings or
 * numbers) are the classes. Every refusal names the file, and the row (its line in the file) and column at fault.
 * Features are kept as read; standardisation is fitted later on each trial's own training split.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { UserError, errorMessage } from '../errors.js';

export interface Table {
  path: string;
  featureNames: string[];
  /** count × features values, row-major. */
  values: Float32Array;
  /** The label of each row as written. */
  labels: string[];
  count: number;
}

function readText(path: string, what: string): string {
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${what} ${path} is a folder, not a CSV file`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${what} ${path} does not exist; give the path of a CSV file with a header row`);
    }
    throw new UserError(`cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function parseRecords(text: string, path: string, what: string): ParsedRecord[] {
  try {
    return parse(text, { info: true, bom: true, trim: true, skip_empty_lines: true }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      throw new UserError(
        `${what} ${path}, line ${e.lines}: ${e.message.replace(/ on line \d+$/, '')} (fields in the header); give every row one value per column`,
      );
    }
    throw new UserError(`${what} ${path} is not valid CSV: ${e.message}`);
  }
}

/** The column names of a table's header row. */
export function readTableHeader(path: string, what = 'table'): string[] {
  const records = parseRecords(readText(path, what), path, what);
  const header = records[0]?.record;
  if (!header || header.length === 0)
    throw new UserError(`${what} ${path} is empty: it needs a header row and data rows`);
  return header;
}

/** A number as a CSV cell writes it: decimal or exponent notation, nothing else (no "1,5", no "12 kg"). */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads `path` with `label` as the label column and `features` (default: every other column) as features.
 * `expectFeatures` (a source or test table) must match the features' names, in order.
 */
export function readTable(
  path: string,
  opts: { label: string; features?: readonly string[] | undefined; what?: string },
): Table {
  const what = opts.what ?? 'table';
  const records = parseRecords(readText(path, what), path, what);
  const header = records[0]?.record;
  if (!header || header.length === 0)
    throw new UserError(`${what} ${path} is empty: it needs a header row and data rows`);
  const blank = header.findIndex((h) => h === '');
  if (blank >= 0)
    throw new UserError(`${what} ${path}: column ${blank + 1} of the header row has no name; name every column`);
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw new UserError(`${what} ${path}: the header names column "${duplicate}" twice`);
  const labelColumn = header.indexOf(opts.label);
  if (labelColumn < 0) {
    throw new UserError(
      `${what} ${path} has no column "${opts.label}" for the label (its columns are ${header.join(', ')}); give "label" one of them`,
    );
  }
  const featureNames = opts.features ? [...opts.features] : header.filter((_, i) => i !== labelColumn);
  if (featureNames.length === 0)
    throw new UserError(`${what} ${path} has no feature columns besides the label "${opts.label}"`);
  const featureColumns = featureNames.map((name) => {
    const column = header.indexOf(name);
    if (column < 0) {
      throw new UserError(`${what} ${path} has no feature column "${name}" (its columns are ${header.join(', ')})`);
    }
    if (column === labelColumn)
      throw new UserError(`${what} ${path}: "${name}" is the label column; it cannot be a feature too`);
    return column;
  });
  const rows = records.slice(1);
  if (rows.length === 0) throw new UserError(`${what} ${path} has a header row but no data rows`);
  const values = new Float32Array(rows.length * featureNames.length);
  const labels: string[] = [];
  rows.forEach(({ record, info }, r) => {
    const line = info.lines;
    const cell = (column: number): string => record[column] ?? '';
    const label = cell(labelColumn);
    if (label === '') {
      throw new UserError(
        `${what} ${path}, line ${line}: the label "${opts.label}" is missing; fill it in or delete the row`,
      );
    }
    labels.push(label);
    featureColumns.forEach((column, f) => {
      const text = cell(column);
      const name = header[column];
      if (text === '' || /^(na|nan|null|none|n\/a|\?)$/i.test(text)) {
        throw new UserError(
          `${what} ${path}, line ${line}, column "${name}": missing value${text ? ` ("${text}")` : ''}; fill it in or delete the row`,
        );
      }
      if (!NUMBER.test(text)) {
        throw new UserError(
          `${what} ${path}, line ${line}, column "${name}": "${text}" is not a number; features must be numeric (leave "${name}" out with "features", or encode it as numbers)`,
        );
      }
      const value = Math.fround(Number(text));
      if (!Number.isFinite(value)) {
        throw new UserError(
          `${what} ${path}, line ${line}, column "${name}": ${text} does not fit a 32-bit float (at most ±3.4e38); rescale the column (e.g. to other units) or leave it out with "features"`,
        );
      }
      values[r * featureNames.length + f] = value;
    });
  });
  return { path, featureNames, values, labels, count: rows.length };
}

/** Distinct labels in a stable order: numerically when every label is a number, else by code point. */
export function labelOrder(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  if (distinct.every((l) => NUMBER.test(l))) return distinct.sort((a, b) => Number(a) - Number(b));
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
