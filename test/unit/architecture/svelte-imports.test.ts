import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * ESLint does not parse .svelte files here (no Svelte plugin), so the layer rule of eslint.config.js is applied to
 * each component's <script> by linting it as if it were a .ts file beside the component.
 */
const root = join(import.meta.dirname, '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return svelteFiles(path);
    return entry.name.endsWith('.svelte') ? [path] : [];
  });
}

function scripts(source: string): string {
  return [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n');
}

async function layerViolations(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: `${filePath}.ts` });
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('Svelte components keep the layer rule', () => {
  it('imports the engine only through $engine/contract, contract-channels, domain and charts', async () => {
    const files = svelteFiles(join(root, 'renderer/src'));
    expect(files.length).toBeGreaterThan(10);
    const violations: string[] = [];
    for (const file of files) {
      const found = await layerViolations(file, scripts(readFileSync(file, 'utf8')));
      violations.push(...found.map((message) => `${relative(root, file)}: ${message}`));
    }
    expect(violations).toEqual([]);
  });

  it('catches a component that reaches past the contract', async () => {
    const file = join(root, 'renderer/src/features/answer/AnswerPanel.svelte');
    const bad = [
      "import type { SuiteAnalysis } from '../../../benchmarks/analysis/analyze-suite.js';",
      "import type { TrialRecord } from '../../../../benchmarks/domain.js';",
      'export type T = SuiteAnalysis | TrialRecord;',
    ].join('\n');
    expect(await layerViolations(file, bad)).toHaveLength(2);
  });
});
