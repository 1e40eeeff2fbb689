import type { SuiteComparison } from '../analysis/compare-suites.js';
import { testSetSize } from '../analysis/accuracy-interval.js';
import { summarize } from '../analysis/summary-stats.js';
import type { SuiteRecord, TrialRecord } from '../domain.js';
import { commandLine, detectInvocation } from './invocation.js';
import { armLabel, sameArm, suiteArms, type Arm } from '../spec/sources.js';

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function printSuiteList(suites: SuiteRecord[]): void {
  if (suites.length === 0) {
    console.log(`no suites yet: run one with \`${commandLine(detectInvocation(), 'run quick')}\``);
    return;
  }
  printTable(
    ['id', 'name', 'status', 'trials', 'backend', 'started'],
    suites.map((s) => [
      String(s.id),
      s.name,
      s.status,
      `${s.trialsFinished}/${s.trialsTotal}`,
      s.env.backend ?? '',
      s.createdAt.replace('T', ' ').slice(0, 19),
    ]),
  );
}

/** Mean test accuracy and its 95% interval (over seeds and the test set, logit scale) per size and approach. */
export function printSummaryTable(suite: SuiteRecord, trials: TrialRecord[]): void {
  const groups = summarize(trials, 'testAccuracy', testSetSize(suite.spec));
  const arms = suiteArms(suite.spec);
  const cell = (arm: Arm, size: number): string => {
    const g = groups.find((x) => sameArm(x, arm) && x.trainSize === size);
    if (!g) return '—';
    const pct = (v: number) => (v * 100).toFixed(1);
    return g.n > 1 ? `${pct(g.mean)} (${pct(g.ciLow)}–${pct(g.ciHigh)})` : `${pct(g.mean)} (n=1)`;
  };
  console.log(`\nsuite ${suite.id} (${suite.name}): test accuracy %, mean (95% interval over seeds and the test set)`);
  printTable(
    ['size', ...arms.map(armLabel)],
    // the sizes run (an adaptive suite runs sizes between those its spec lists)
    [...new Set([...suite.spec.sizes, ...trials.map((t) => t.trainSize)])]
      .sort((a, b) => a - b)
      .map((size) => [String(size), ...arms.map((a) => cell(a, size))]),
  );
  const notDone = trials.filter((t) => t.status !== 'done');
  if (notDone.length > 0) {
    const counts = new Map<string, number>();
    for (const t of notDone) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    console.log(`not included: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }
}

/** The compared suites, each with where it ran and the first lines of its verdict (the CSV files hold the numbers). */
export function printComparison(comparison: SuiteComparison): void {
  const differ = comparison.differences.length > 0 ? comparison.differences.join(', ') : 'nothing but the run itself';
  console.log(`${comparison.suites.length} suites on ${comparison.target}; they differ in: ${differ}`);
  for (const s of comparison.suites) {
    const where = [s.backend ?? 'backend unknown', s.device].filter(Boolean).join(', ');
    console.log(`\n${s.label}: ${s.sources.join('; ') || 'no source (scratch only)'}; ${s.architecture} on ${where}`);
    for (const line of s.analysis.verdict.slice(0, 2)) console.log(`  ${line}`);
  }
  console.log('');
}
