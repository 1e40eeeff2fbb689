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
 * On a finished suite's view: the answer stated in one sentence (from the analysis) with its confidence, no difference
 * of zero shown as "±0.0" or as "scratch ahead", one crossover per way of transferring; then the Markdown report
 * downloaded from the same view (saved in `dir`) gives the same sentence under its Answer heading, before the setup,
 * and the same crossover words.
 */
export async function expectAnswerAsInReport(page: Page, dir: string, variants: number): Promise<AnswerSeen> {
  const sentence = page.getByTestId('plain-answer-sentence');
  await sentence.waitFor({ timeout: scaled(15_000) });
  const text = (await sentence.textContent())!.trim();
  expect(text).toMatch(/^On this data, .*(better|worse|level|no clear difference|does not matter).*\.$/);
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
  expect(report.slice(answerAt)).toContain(text);
  expect(report).not.toMatch(/±0\.0/);
  for (const words of crossovers) expect(report).toContain(words);
  return { sentence: text, crossovers, report };
}
