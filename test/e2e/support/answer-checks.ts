import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { expect } from 'vitest';
import { scaled } from '../../support/machine-load.js';

/** What the suite view answered, and the report downloaded from it. */
export interface AnswerSeen {
  sentence: string;
  crossovers: string[];
  report: string;
}

/**
 * On a finished suite's view: the Markdown report downloaded from it (saved in `dir`) states the answer in one
 * sentence under its Answer heading, before the setup; the view shows the same sentence with its confidence, no
 * difference of zero as "±0.0" or "scratch ahead" (nor does the report), and one crossover per way of transferring,
 * in the words the report uses.
 */
export async function expectAnswerAsInReport(page: Page, dir: string, variants: number): Promise<AnswerSeen> {
  // The report is written from the stored trials; the view reloads its analysis a moment after the run ends, so the
  // view's answer is awaited until it is the report's (it must be, within the wait).
  const downloads: Download[] = [];
  const onDownload = (download: Download) => downloads.push(download);
  page.on('download', onDownload);
  try {
    await page.getByTestId('report-md').click();
    await expect.poll(() => downloads.length, { timeout: scaled(30_000) }).toBe(1);
  } finally {
    page.off('download', onDownload);
  }
  const path = join(dir, `report-${Date.now()}.md`);
  await downloads[0]!.saveAs(path);
  const report = readFileSync(path, 'utf8');
  const answerAt = report.indexOf('## Answer');
  expect(answerAt).toBeGreaterThan(0);
  expect(answerAt).toBeLessThan(report.indexOf('## Setup'));
  const stated = /^On this data, .*$/m.exec(report.slice(answerAt))?.[0];
  expect(stated, report.slice(answerAt, answerAt + 2000)).toBeDefined();
  expect(report).not.toMatch(/±0\.0/);
  expect(report).not.toContain('scratch ahead');

  const sentence = page.getByTestId('plain-answer-sentence');
  await expect
    .poll(async () => ((await sentence.count()) > 0 ? (await sentence.textContent())!.trim() : null), {
      timeout: scaled(15_000),
    })
    .toBe(stated);
  const text = stated!;
  expect(text).toMatch(
    /^On this data, .*(better|worse|level|no clear difference|does not matter|trails scratch|ahead of scratch).*\.$/,
  );
  expect(text.split(/\.\s/)).toHaveLength(1);
  await expect(page.getByTestId('plain-answer').getAttribute('data-confidence')).resolves.toMatch(
    /^(high|medium|low)$/,
  );
  const panel = (await page.getByTestId('answer-panel').textContent())!;
  expect(panel).not.toMatch(/±0\.0/);
  expect(panel).not.toContain('scratch ahead');
  const crossovers = await page
    .getByTestId('answer-crossover')
    .evaluateAll((cells) => cells.map((c) => c.textContent!.trim()));
  expect(crossovers).toHaveLength(variants);
  for (const words of crossovers) expect(report).toContain(words);
  return { sentence: text, crossovers, report };
}
