import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OLDER_TICKET_TOPICS, TICKET_TOPICS, ticketTable } from '../unit/datasets/text-fixtures.js';
import { scaled } from '../support/machine-load.js';
import { requireSystem } from '../support/system.js';
import { useAppPage } from './support/app-page.js';
import { screenshotPath } from './support/paths.js';

/**
 * The suite builder ("New suite") takes a text table, as a user of `transfer-bench serve` meets it: a CSV of support
 * tickets in the data folder, the real engine (draftSuite reads it, picks the text and label columns, the sequence
 * length and vocabulary, and measures this machine), Debian's Chromium. A file that is not UTF-8 is refused next to
 * the path, naming the row and column.
 */
describe.skipIf(!requireSystem('chromium'))('New suite with a text table in Chromium', () => {
  let tickets: string;
  let older: string;
  let latin1: string;

  const app = useAppPage({
    name: 'tb-e2e-text-',
    prepare(dir) {
      tickets = join(dir, 'data', 'tickets.csv');
      older = join(dir, 'data', 'older-tickets.csv');
      latin1 = join(dir, 'data', 'latin1.csv');
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(tickets, ticketTable(TICKET_TOPICS, 20, 1));
      writeFileSync(older, ticketTable(OLDER_TICKET_TOPICS, 20, 2));
      writeFileSync(
        latin1,
        Buffer.concat([
          Buffer.from('text,label\nmy invoice is wrong,a\nlogin broken again,a\nthe caf'),
          Buffer.from([0xe9]),
          Buffer.from(' is shut,b\nparcel lost again,b\n'),
        ]),
      );
      return {
        dbPath: join(dir, 'e2e.db'),
        args: ['--data-root', join(dir, 'data')],
        env: { TRANSFER_BENCH_CACHE: join(dir, 'model-cache'), TRANSFER_BENCH_DATA_CACHE: join(dir, 'data-cache') },
      };
    },
  });

  async function look(target: string, source = ''): Promise<void> {
    await app.page.getByTestId('target-path').fill(target);
    await app.page.getByTestId('source-path').fill(source);
    await app.page.getByTestId('look-at-data').click();
    await expect.poll(() => app.page.getByTestId('look-at-data').isEnabled(), { timeout: scaled(60_000) }).toBe(true);
  }

  it('refuses a text file that is not UTF-8 next to the path, naming the row and column', async () => {
    await app.page.goto(app.server.url);
    await app.page.getByTestId('new-suite').click();
    await app.page.getByTestId('new-suite-view').waitFor();
    await look(latin1);
    const error = app.page.locator('[data-testid="field-error"][data-field="target"]');
    await expect(error.textContent()).resolves.toMatch(
      /latin1\.csv, line 4, column "text": bytes e9 .* are not UTF-8 \(byte \d+ of the file\); save the file as UTF-8/,
    );
    expect(await app.page.getByTestId('draft-findings').count()).toBe(0);
  });

  it('shows the columns, example rows, label counts, the sequence length and vocabulary chosen, and the estimate', async () => {
    await look(tickets, older);
    expect(await app.page.getByTestId('field-error').count()).toBe(0);
    const rows = app.page.getByTestId('draft-class');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.evaluateAll((rs) => rs.map((r) => [r.dataset.class, Number(r.dataset.count)]))).toEqual([
      ['billing', 20],
      ['login', 20],
      ['shipping', 20],
    ]);
    await expect(app.page.getByTestId('draft-shape').textContent()).resolves.toMatch(
      /^\s*Text table: 3 classes, 60\s+rows/,
    );
    await expect(app.page.getByTestId('draft-text-columns').textContent()).resolves.toMatch(
      /Columns: id, text, category; text column\s+text, label column\s+category/,
    );
    await expect(app.page.getByTestId('draft-text-tokens').textContent()).resolves.toMatch(
      /^\s*\d+ tokens per text \(the 95th percentile of the words per text; median \d+, longest \d+\), a vocabulary of \d+ token ids/,
    );
    const examples = app.page.getByTestId('draft-text-example');
    expect(await examples.count()).toBe(6);
    expect(await examples.first().getAttribute('data-label')).toBe('billing');
    await expect(examples.first().textContent()).resolves.toMatch(/ticket 1$/);
    const enabled = await app.page
      .getByTestId('approach-enabled')
      .evaluateAll((boxes) => boxes.map((b) => (b as unknown as { checked: boolean }).checked));
    expect(enabled).toEqual([true, true, true, true]);
    await expect(app.page.getByTestId('estimate').textContent()).resolves.toContain(
      'from every trial stopping early at its first chance to every trial using its whole budget',
    );
    expect(Number(await app.page.getByTestId('estimate-seconds').getAttribute('data-seconds'))).toBeGreaterThan(0);
    await app.page.screenshot({ path: screenshotPath('new-suite-text'), fullPage: true });
    // the refused file of the first test answered 400; nothing else went wrong
    expect(app.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
  });
});
