import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OLDER_TICKET_TOPICS, TICKET_TOPICS, ticketTable } from '../unit/datasets/text-fixtures.js';
import { cli, query, sandbox } from './cli-helpers.js';

const box = sandbox();

/** An approach's settings, as the runs here cut them down to seconds: one epoch of one step, one learning rate. */
type Approach = { epochs: number; minSteps: number; learningRate: number | number[] };

describe('transfer-bench on a text table', () => {
  it('init tickets.csv writes a text suite that runs every approach, exports CSV and writes the report', () => {
    const tickets = join(box.dir, 'tickets.csv');
    const source = join(box.dir, 'older-tickets.csv');
    writeFileSync(tickets, ticketTable(TICKET_TOPICS, 30, 1));
    writeFileSync(source, ticketTable(OLDER_TICKET_TOPICS, 40, 2));
    const out = join(box.dir, 'tickets.json');
    const init = cli(box, ['init', tickets, '--source', source, '--out', out, '--backend', 'wasm']);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/target\s+text table .*tickets\.csv \(text "text", label "category"\)/);
    expect(init.stdout).toContain('columns id, text, category');
    expect(init.stdout).toMatch(
      /\d+ tokens per text \(95th percentile of the words per text; median \d+, longest \d+\), vocabulary of \d+ token ids/,
    );
    expect(init.stdout).toMatch(/e\.g\. billing: "/);
    expect(init.stdout).toMatch(
      /architecture {2}text-cnn \(embedding \d+×64, 64 filters of widths 3, 4, 5\) on \d+ tokens per text/,
    );
    expect(init.stdout).toMatch(/estimate {6}at most \S+ for \d+ trials/);
    const spec = JSON.parse(readFileSync(out, 'utf8'));
    expect(spec.target.dataset).toMatchObject({ kind: 'text', path: 'tickets.csv', text: 'text', label: 'category' });
    expect(spec.pretrain.dataset).toMatchObject({
      kind: 'text',
      path: 'older-tickets.csv',
      sequenceLength: spec.target.dataset.sequenceLength,
    });
    expect(Object.keys(spec.approaches)).toEqual(['scratch', 'finetune', 'linear-probe', 'partial']);

    // cut down to seconds: one seed, the smallest size, one step, one learning rate per approach (no search), one
    // training per trial (no cross-validation: estimate-held.test.ts runs a k-fold suite by the CLI)
    spec.sizes = spec.sizes.slice(0, 1);
    spec.seeds = [0];
    spec.crossValidateBelow = 0;
    for (const settings of Object.values(spec.approaches) as Approach[]) {
      settings.epochs = 1;
      settings.minSteps = 1;
      settings.learningRate = [settings.learningRate].flat()[0]!;
    }
    spec.pretrain.epochs = 1;
    const short = join(box.dir, 'tickets-short.json');
    writeFileSync(short, JSON.stringify(spec));
    const run = cli(box, ['run', short, '--backend', 'wasm', '--workers', '1']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).toMatch(
      /tickets\.csv: \d+ tokens per text .*word vocabulary of \d+ trained on the training pool \(sha256 [0-9a-f]{12}\)/,
    );
    const trials = query<{ approach: string; status: string }>(box.db, 'SELECT approach, status FROM trials');
    // every approach at the smallest size
    expect(trials).toHaveLength(4);
    expect(new Set(trials.map((t) => t.status))).toEqual(new Set(['done']));
    expect(new Set(trials.map((t) => t.approach))).toEqual(new Set(['scratch', 'finetune', 'linear-probe', 'partial']));

    const exported = cli(box, ['export', 'latest', '--out', join(box.dir, 'results')]);
    expect(exported.status, exported.stderr).toBe(0);
    const csv = readFileSync(join(box.dir, 'results', 'trials.csv'), 'utf8');
    expect(csv.split('\n').filter((l) => l.trim() !== '')).toHaveLength(5);
    const report = cli(box, ['report', 'latest', '--out', join(box.dir, 'report.md')]);
    expect(report.status, report.stderr).toBe(0);
    expect(existsSync(join(box.dir, 'report.md'))).toBe(true);
    expect(readFileSync(join(box.dir, 'report.md'), 'utf8')).toContain('text-cnn');
  });

  it('vectors makes a text suite start from word vectors, and run trains every approach', () => {
    const tickets = join(box.dir, 'tickets-v.csv');
    writeFileSync(tickets, ticketTable(TICKET_TOPICS, 30, 3));
    // a .vec file (fastText's text format): a header line, then a word and its 8 values per line
    const words = [...new Set(Object.values(TICKET_TOPICS).flat())];
    const vec = [
      `${words.length} 8`,
      ...words.map((w, i) => `${w} ${Array.from({ length: 8 }, (_, k) => Math.sin(i * 8 + k).toFixed(4)).join(' ')}`),
    ];
    writeFileSync(join(box.dir, 'words.vec'), vec.join('\n') + '\n');
    const out = join(box.dir, 'tickets-v.json');
    const init = cli(box, ['init', tickets, '--out', out, '--backend', 'wasm']);
    expect(init.status, init.stderr).toBe(0);
    const vectors = cli(box, ['vectors', out, join(box.dir, 'words.vec')]);
    expect(vectors.status, vectors.stderr).toBe(0);
    expect(vectors.stdout).toContain(`8 dimensions, ${words.length} of the`);
    const spec = JSON.parse(readFileSync(out, 'utf8'));
    expect(spec.architecture.embeddingDim).toBe(8);
    expect(spec.pretrainedModel).toEqual({ path: 'tickets-v-vectors/model.json', cutLayer: 'features' });
    expect(spec.target.dataset.vocabulary).toBe('tickets-v-vectors/vocab.txt');
    expect(spec.approaches.partial.trainFrom).toBe('conv_k3');
    spec.sizes = spec.sizes.slice(0, 1);
    spec.seeds = [0];
    spec.crossValidateBelow = 0;
    for (const settings of Object.values(spec.approaches) as Approach[]) {
      settings.epochs = 1;
      settings.minSteps = 1;
      settings.learningRate = [settings.learningRate].flat()[0]!;
    }
    writeFileSync(out, JSON.stringify(spec));
    const run = cli(box, ['run', out, '--backend', 'wasm', '--workers', '1', '--db', join(box.dir, 'vectors.db')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).toMatch(/word vocabulary of \d+ from .*vocab\.txt/);
    const trials = query<{ approach: string; status: string }>(
      join(box.dir, 'vectors.db'),
      'SELECT approach, status FROM trials',
    );
    expect(trials.map((t) => `${t.approach}:${t.status}`).sort()).toEqual([
      'finetune:done',
      'linear-probe:done',
      'partial:done',
      'scratch:done',
    ]);
  });

  it('refuses bad text files in one line naming the row and column', () => {
    const cases: [string, string | Buffer, RegExp][] = [
      [
        'latin1.csv',
        Buffer.concat([
          Buffer.from('text,label\nmy invoice is wrong,a\nlogin broken again,a\nthe caf'),
          Buffer.from([0xe9]),
          Buffer.from(' is shut,b\nparcel lost again,b\n'),
        ]),
        /latin1\.csv, line 4, column "text": bytes e9 .* are not UTF-8/,
      ],
      [
        'empty.csv',
        'text,label\nmy invoice is wrong,a\n"",a\nparcel late again,b\nparcel lost today,b\n',
        /empty\.csv, line 3, column "text": the text is empty/,
      ],
      [
        'single.tsv',
        'text\tlabel\nmy invoice is wrong\ta\nmy card was charged\ta\nparcel late\tb\n',
        /single\.tsv, line 4, column "label": label "b" has one example/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const path = join(box.dir, name);
      writeFileSync(path, content);
      const result = cli(box, ['init', path, '--out', join(box.dir, `${name}.json`), '--backend', 'wasm']);
      expect(result.status, name).not.toBe(0);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(existsSync(join(box.dir, `${name}.json`))).toBe(false);
    }
  });
});
