/**
 * A text table as rows of (text, label): CSV (.csv), TSV (.tsv) or JSON Lines (.jsonl, .ndjson), UTF-8, a header
 * row naming the columns (JSON Lines: keys of each object). Every refusal is one line naming the file, the row (its
 * line in the file) and the column at fault: bytes that are not UTF-8, an empty text, a missing label, a label with
 * a single example.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError, errorMessage } from '../errors.js';

export interface TextTable {
  path: string;
  /** The header's column names (JSON Lines: the keys of the first row). */
  columns: string[];
  texts: string[];
  /** The label of each row as written. */
  labels: string[];
  /** The line in the file where each row starts. */
  lines: number[];
  count: number;
}

export type TextFormat = 'csv' | 'tsv' | 'jsonl';

/** The format a text table's extension says: .tsv, .jsonl/.ndjson, else CSV. */
export function textFormat(path: string): TextFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'csv';
}

function readBytes(path: string, what: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${what} ${path} is a folder, not a text table`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${what} ${path} does not exist; give a CSV, TSV or JSON Lines file with a text column`);
    }
    throw new UserError(`cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

/** Byte offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

interface Row {
  fields: Record<string, string | undefined>;
  line: number;
}

function csvRows(text: string, format: 'csv' | 'tsv', path: string, what: string): { columns: string[]; rows: Row[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      ...(format === 'tsv' ? { delimiter: '\t', quote: false } : {}),
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    const at = e.lines !== undefined ? `, line ${e.lines}` : '';
    throw new UserError(
      `${what} ${path}${at} is not valid ${format.toUpperCase()}: ${e.message.replace(/ on line \d+$/, '')}; give every row one value per column (quote texts that hold commas or line breaks)`,
    );
  }
  const header = records[0]?.record.map((h) => h.trim());
  if (!header || header.length === 0)
    throw new UserError(`${what} ${path} is empty: it needs a header row and data rows`);
  const duplicate = header.find((h, i) => header.indexOf(h) !== i);
  if (duplicate !== undefined) throw new UserError(`${what} ${path}: the header names column "${duplicate}" twice`);
  // a record ends on `info.lines`; it starts one line after the previous record ended
  const rows = records.slice(1).map(({ record }, r) => ({
    fields: Object.fromEntries(header.map((h, c) => [h, record[c]])),
    line: records[r]!.info.lines + 1,
  }));
  return { columns: header, rows };
}

function jsonRows(text: string, path: string, what: string): { columns: string[]; rows: Row[] } {
  const rows: Row[] = [];
  let columns: string[] | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        throw new UserError(`${what} ${path}, line ${line} is not valid JSON: ${errorMessage(error)}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new UserError(
          `${what} ${path}, line ${line}: each line must be one JSON object, e.g. {"text": …, "label": …}`,
        );
      }
      const fields = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v)]),
      );
      columns ??= Object.keys(fields);
      rows.push({ fields, line });
    });
  if (!columns) throw new UserError(`${what} ${path} is empty: it needs one JSON object per line`);
  return { columns, rows };
}

/** The column names of a text table (JSON Lines: the keys of its first object), and its first rows as read. */
export function readTextColumns(
  path: string,
  what = 'text table',
): { columns: string[]; rows: Record<string, string | undefined>[] } {
  const { columns, rows } = parseRows(path, what);
  return { columns, rows: rows.map((r) => r.fields) };
}

function parseRows(path: string, what: string): { columns: string[]; rows: Row[] } {
  const bytes = readBytes(path, what);
  const bad = firstInvalidUtf8(bytes);
  const text = bytes.toString('utf8');
  const format = textFormat(path);
  const parsed = format === 'jsonl' ? jsonRows(text, path, what) : csvRows(text, format, path, what);
  if (bad >= 0) {
    // name the row and column that hold the first bad byte: its line, and the field with a replacement character
    const line = bytes.subarray(0, bad).filter((b) => b === 0x0a).length + 1;
    const row = [...parsed.rows].reverse().find((r) => r.line <= line);
    const column = row ? Object.entries(row.fields).find(([, v]) => v?.includes('\uFFFD'))?.[0] : undefined;
    const hex = [...bytes.subarray(bad, bad + 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new UserError(
      `${what} ${path}, line ${line}${column !== undefined ? `, column "${column}"` : ''}: bytes ${hex} are not UTF-8 (byte ${bad} of the file); save the file as UTF-8`,
    );
  }
  return parsed;
}

/**
 * Reads `path` with `text` and `label` as the text and label columns (JSON keys). Refuses, in one line naming the
 * row and column: bytes that are not UTF-8, a missing column, an empty text, a missing label, and (unless
 * `allowSingletons`, for a test table) a label only one row has.
 */
export function readTextTable(
  path: string,
  opts: { text: string; label: string; what?: string; allowSingletons?: boolean },
): TextTable {
  const what = opts.what ?? 'text table';
  const { columns, rows } = parseRows(path, what);
  for (const [role, name] of [
    ['text', opts.text],
    ['label', opts.label],
  ] as const) {
    if (!columns.includes(name)) {
      throw new UserError(
        `${what} ${path} has no column "${name}" for the ${role} (its columns are ${columns.join(', ')}); give "${role}" one of them`,
      );
    }
  }
  if (opts.text === opts.label)
    throw new UserError(`${what} ${path}: "${opts.text}" cannot be both the text and the label`);
  if (rows.length === 0) throw new UserError(`${what} ${path} has a header row but no data rows`);
  const texts: string[] = [];
  const labels: string[] = [];
  const lines: number[] = [];
  for (const { fields, line } of rows) {
    const text = fields[opts.text] ?? '';
    const label = (fields[opts.label] ?? '').trim();
    if (text.trim() === '') {
      throw new UserError(
        `${what} ${path}, line ${line}, column "${opts.text}": the text is empty; fill it in or delete the row`,
      );
    }
    if (label === '') {
      throw new UserError(
        `${what} ${path}, line ${line}, column "${opts.label}": the label is missing; fill it in or delete the row`,
      );
    }
    texts.push(text);
    labels.push(label);
    lines.push(line);
  }
  if (!opts.allowSingletons) {
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const single = labels.findIndex((l) => counts.get(l) === 1);
    if (single >= 0) {
      throw new UserError(
        `${what} ${path}, line ${lines[single]}, column "${opts.label}": label "${labels[single]}" has one example; a class needs several (to test, train and validate): add examples of it or delete the row`,
      );
    }
  }
  return { path, columns, texts, labels, lines, count: rows.length };
}
