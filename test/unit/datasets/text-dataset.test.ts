import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTask } from '../../../benchmarks/datasets/load-dataset.js';
import { readTextTable } from '../../../benchmarks/datasets/text-table.js';
import {
  chooseSequenceLength,
  encodeTexts,
  trainVocabulary,
  words,
} from '../../../benchmarks/datasets/text-tokenizer.js';
import { UserError } from '../../../benchmarks/errors.js';
import { textSource } from '../../../benchmarks/spec/suite-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'text-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** 3 classes × 6 rows; class "billing" rows mention invoices, "login" passwords, "shipping" parcels. */
function ticketsCsv(): string {
  const rows = ['id,text,category'];
  const topics: Record<string, string> = {
    billing: 'invoice charged twice',
    login: 'password reset fails',
    shipping: 'parcel arrived late',
  };
  let id = 0;
  for (const [label, words] of Object.entries(topics)) {
    for (let i = 0; i < 6; i++) rows.push(`${id++},"My ${words}, ticket ${i}",${label}`);
  }
  return rows.join('\n') + '\n';
}

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a refusal');
};

describe('text tables', () => {
  it('reads CSV with quoted commas, TSV and JSON Lines alike', () => {
    const csv = readTextTable(file('t.csv', ticketsCsv()), { text: 'text', label: 'category' });
    expect(csv.count).toBe(18);
    expect(csv.texts[0]).toBe('My invoice charged twice, ticket 0');
    expect(csv.lines[0]).toBe(2);
    const tsv = readTextTable(file('t.tsv', 'text\tlabel\na "quoted" word\tx\nanother\tx\nthird\ty\nfourth\ty\n'), {
      text: 'text',
      label: 'label',
    });
    expect(tsv.texts[0]).toBe('a "quoted" word');
    const jsonl = readTextTable(
      file(
        't.jsonl',
        '{"review":"great","stars":5}\n\n{"review":"fine","stars":5}\n{"review":"bad","stars":1}\n{"review":"awful","stars":1}\n',
      ),
      { text: 'review', label: 'stars' },
    );
    expect(jsonl.labels).toEqual(['5', '5', '1', '1']);
    expect(jsonl.lines).toEqual([1, 3, 4, 5]);
  });

  it('refuses bad files in one line naming the row and column', () => {
    const bad = Buffer.concat([
      Buffer.from('text,label\nfine,a\nalso fine,a\ncaf'),
      Buffer.from([0xe9]),
      Buffer.from(' au lait,b\nok,b\n'),
    ]);
    expect(refusal(() => readTextTable(file('latin1.csv', bad), { text: 'text', label: 'label' }))).toMatch(
      /latin1\.csv, line 4, column "text": bytes e9 .* are not UTF-8.*save the file as UTF-8/,
    );
    expect(
      refusal(() =>
        readTextTable(file('empty.csv', 'text,label\nhello,a\n  ,a\nx,b\ny,b\n'), { text: 'text', label: 'label' }),
      ),
    ).toMatch(/empty\.csv, line 3, column "text": the text is empty/);
    expect(
      refusal(() =>
        readTextTable(file('single.csv', 'text,label\nhello,a\nhi,a\nlonely,b\n'), { text: 'text', label: 'label' }),
      ),
    ).toMatch(/single\.csv, line 4, column "label": label "b" has one example/);
    expect(
      refusal(() => readTextTable(file('cols.csv', 'body,label\nx,a\n'), { text: 'text', label: 'label' })),
    ).toMatch(/has no column "text" for the text \(its columns are body, label\)/);
    expect(
      refusal(() =>
        readTextTable(file('j.jsonl', '{"text":"a","label":1}\nnot json\n'), { text: 'text', label: 'label' }),
      ),
    ).toMatch(/j\.jsonl, line 2 is not valid JSON/);
  });
});

describe('tokenizer', () => {
  it('splits words by Unicode rules, lower-cased, without punctuation', () => {
    expect(words("Can't log in: Password-reset FAILS (twice)!")).toEqual([
      "can't",
      'log',
      'in',
      'password',
      'reset',
      'fails',
      'twice',
    ]);
  });

  it('keeps the most frequent words, ties in code point order, padding 0 and unknown 1', () => {
    const vocabulary = trainVocabulary(['b a c', 'a b', 'a d'], 4);
    expect(vocabulary).toEqual(['[PAD]', '[UNK]', 'a', 'b']);
    const { ids, truncated, unknown, total } = encodeTexts(['a b c d e', 'b'], vocabulary, 3);
    expect(Array.from(ids)).toEqual([2, 3, 1, 3, 0, 0]);
    expect([truncated, unknown, total]).toEqual([1, 3, 6]);
  });

  it('picks the 95th percentile of word counts, within [8, cap]', () => {
    const texts = Array.from({ length: 100 }, (_, i) =>
      Array(i + 1)
        .fill('w')
        .join(' '),
    );
    expect(chooseSequenceLength(texts)).toBe(95);
    expect(chooseSequenceLength(texts, 50)).toBe(50);
    expect(chooseSequenceLength(['one two'])).toBe(8);
  });
});

describe('text tasks', () => {
  const source = (extra: object = {}) =>
    textSource.parse({
      kind: 'text',
      path: 't.csv',
      text: 'text',
      label: 'category',
      sequenceLength: 6,
      vocabularySize: 50,
      ...extra,
    });

  it('splits a fixed test set, trains the vocabulary on the training pool only, and encodes ids', async () => {
    file('t.csv', ticketsCsv());
    const task = await loadTask(source(), 2, { baseDir: dir });
    expect(task.pool.count).toBe(12);
    expect(task.test.count).toBe(6);
    expect([task.pool.height, task.pool.width, task.pool.channels]).toEqual([1, 6, 1]);
    expect(task.pool.classNames).toEqual(['billing', 'login', 'shipping']);
    expect(task.vocabulary).toContain('invoice');
    // ticket numbers of the test rows only are unknown words: the vocabulary never saw the test set
    const testOnly = ['0', '1', '2', '3', '4', '5'].filter((n) => !task.vocabulary!.includes(n));
    expect(testOnly.length).toBeGreaterThan(0);
    expect(task.description).toMatch(/word vocabulary of \d+ trained on the training pool \(sha256 [0-9a-f]{12}\)/);
    const again = await loadTask(source(), 2, { baseDir: dir });
    expect(Array.from(again.pool.images)).toEqual(Array.from(task.pool.images));
    // a source task takes the vocabulary it is given
    const shared = await loadTask(source(), 2, { baseDir: dir, vocabulary: ['[PAD]', '[UNK]', 'invoice'] });
    expect(new Set(shared.pool.images)).toEqual(new Set([1, 2]));
  });

  it('reads a vocabulary file, and refuses one larger than vocabularySize', async () => {
    file('t.csv', ticketsCsv());
    file('vocab.txt', '[PAD]\n[UNK]\nmy\ninvoice\n');
    const task = await loadTask(source({ vocabulary: 'vocab.txt' }), 2, { baseDir: dir });
    expect(task.vocabulary).toEqual(['[PAD]', '[UNK]', 'my', 'invoice']);
    await expect(loadTask(source({ vocabulary: 'vocab.txt', vocabularySize: 3 }), 2, { baseDir: dir })).rejects.toThrow(
      /has 4 tokens, more than "vocabularySize" 3/,
    );
  });
});
