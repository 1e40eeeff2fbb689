/**
 * What a text table holds, for `init` and the app's builder: its columns, which one is the text and which the label
 * (given, or detected), the classes, a few example rows, and the sequence length and vocabulary size a suite gets.
 */
import { labelOrder } from '../datasets/load-table.js';
import { readTextColumns, readTextTable } from '../datasets/text-table.js';
import { chooseSequenceLength, words } from '../datasets/text-tokenizer.js';
import { UserError } from '../errors.js';

export interface TextInspection {
  kind: 'text';
  path: string;
  classes: { name: string; count: number; testCount?: number }[];
  testPath?: string;
  /** Every column of the table, in order. */
  columns: string[];
  text: string;
  label: string;
  /** The first rows of each of a few classes, texts cut to 200 characters. */
  examples: { text: string; label: string }[];
  /** Tokens per text: the 95th percentile of the words per text, at least 8, at most 256. */
  sequenceLength: number;
  /** Token ids of the vocabulary a run trains on the pool: words seen at least twice, plus padding and unknown, at most 20,000. */
  vocabularySize: number;
  /** Words per text: median and largest. */
  wordsPerText: { median: number; max: number };
}

const LABEL_NAMES =
  /^(label|labels|class|classes|target|category|categories|topic|section|intent|sentiment|rating|stars|y)$/i;
const TEXT_NAMES = /^(text|texts|body|content|description|message|review|sentence|comment|summary|title|ticket)$/i;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Mean words per value of a column over `rows`; 0 when most of its values are numbers. */
function wordiness(rows: Record<string, string | undefined>[], column: string): number {
  const values = rows.map((r) => (r[column] ?? '').trim()).filter((v) => v !== '');
  if (values.length === 0 || values.filter((v) => NUMBER.test(v)).length > values.length / 2) return 0;
  return values.reduce((n, v) => n + v.split(/\s+/).length, 0) / values.length;
}

/**
 * The text column of a table when it has one: `wanted`, else a column named like text (text, description, review, …)
 * or holding values of three words or more on average, the wordiest. Null: a table of numbers and short labels.
 */
export function detectTextColumn(path: string, wanted?: string): string | null {
  const { columns, rows } = readTextColumns(path);
  if (wanted !== undefined) {
    if (!columns.includes(wanted)) {
      throw new UserError(
        `text table ${path} has no column "${wanted}" (its columns are ${columns.join(', ')}); give --text one of them`,
      );
    }
    return wanted;
  }
  const sample = rows.slice(0, 500);
  const scored = columns.map((c) => ({ c, words: wordiness(sample, c) })).filter((s) => s.words > 0);
  const named = scored.find((s) => TEXT_NAMES.test(s.c));
  if (named) return named.c;
  const wordiest = scored.sort((a, b) => b.words - a.words)[0];
  return wordiest && wordiest.words >= 3 ? wordiest.c : null;
}

export function inspectText(path: string, options: { text?: string; label?: string; test?: string }): TextInspection {
  const text = detectTextColumn(path, options.text);
  if (text === null) throw new UserError(`${path} has no column of text; name it with --text`);
  const { columns } = readTextColumns(path);
  const others = columns.filter((c) => c !== text);
  const label = options.label ?? others.find((c) => LABEL_NAMES.test(c)) ?? others[others.length - 1];
  if (label === undefined)
    throw new UserError(`text table ${path} has only the text column "${text}"; it needs a label column`);
  const table = readTextTable(path, { text, label });
  const names = labelOrder(table.labels);
  if (names.length < 2) {
    throw new UserError(
      `text table ${path}: the label column "${label}" has one value (${names[0]}); a classifier needs at least 2 classes (name the label column with --label)`,
    );
  }
  const classes: TextInspection['classes'] = names.map((name) => ({
    name,
    count: table.labels.filter((l) => l === name).length,
  }));
  const counts = new Map<string, number>();
  const lengths: number[] = [];
  for (const t of table.texts) {
    const ws = words(t);
    lengths.push(ws.length);
    for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  lengths.sort((a, b) => a - b);
  const repeated = [...counts.values()].filter((n) => n >= 2).length;
  const examples = names.slice(0, 4).flatMap((name) => {
    const rows = table.texts.map((t, i) => ({ text: t, label: table.labels[i]! })).filter((r) => r.label === name);
    return rows
      .slice(0, 2)
      .map((r) => ({ text: r.text.length > 200 ? `${r.text.slice(0, 199)}…` : r.text, label: r.label }));
  });
  const inspection: TextInspection = {
    kind: 'text',
    path,
    classes,
    columns,
    text,
    label,
    examples,
    sequenceLength: chooseSequenceLength(table.texts),
    vocabularySize: Math.max(3, Math.min(20_000, repeated + 2)),
    wordsPerText: { median: lengths[Math.floor(lengths.length / 2)] ?? 0, max: lengths[lengths.length - 1] ?? 0 },
  };
  if (options.test) {
    const test = readTextTable(options.test, { text, label, what: 'test text table', allowSingletons: true });
    for (const c of classes) c.testCount = test.labels.filter((l) => l === c.name).length;
    inspection.testPath = options.test;
  }
  return inspection;
}

/** A text inspection in a few lines for a terminal: columns, sequence length and vocabulary, example rows. */
export function textInspectionLines(t: TextInspection): string[] {
  const cut = (s: string) => (s.length > 70 ? `${s.slice(0, 69)}…` : s).replace(/\s+/g, ' ');
  return [
    `columns ${t.columns.join(', ')}`,
    `${t.sequenceLength} tokens per text (95th percentile of the words per text; median ${t.wordsPerText.median}, longest ${t.wordsPerText.max}), vocabulary of ${t.vocabularySize} token ids (words seen twice or more), trained on the training pool when the suite runs`,
    ...t.examples.slice(0, 4).map((e) => `e.g. ${e.label}: "${cut(e.text)}"`),
  ];
}
