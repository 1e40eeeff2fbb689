import { appendFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Reporter, TestModule } from 'vitest/node';
import { SLOWDOWN_ENV } from './machine-load.js';

const SHOWN = 8;

/**
 * Set to a file path to have each file's wall and CPU time appended there as one JSON line when the file ends (to rank
 * them all by CPU; a run stopped halfway still leaves the files it finished).
 */
export const COSTS_FILE_ENV = 'TRANSFER_BENCH_TEST_COSTS';

/**
 * Lists, at the end of the run, the test files that took longest, with the CPU time each used (recorded by
 * file-cost.ts) and the total: the wall-clock times swing with the machine's load, the CPU times much less.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestModuleEnd(module: TestModule): void {
    const costsFile = process.env[COSTS_FILE_ENV];
    if (!costsFile) return;
    const cost = {
      name: module.relativeModuleId,
      seconds: module.diagnostic().duration / 1000,
      cpu: module.meta().cpuSeconds ?? null,
      ok: module.ok(),
      // when it ended (epoch ms): with `seconds`, which files ran side by side
      endedAt: Date.now(),
    };
    appendFileSync(costsFile, `${JSON.stringify(cost)}\n`);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const files = testModules
      .map((module) => ({
        name: module.relativeModuleId,
        seconds: module.diagnostic().duration / 1000,
        cpu: module.meta().cpuSeconds,
      }))
      .sort((a, b) => b.seconds - a.seconds);
    if (files.length < 2) return;
    const cpuKnown = files.filter((file) => file.cpu !== undefined);
    const totalCpu = cpuKnown.reduce((sum, file) => sum + (file.cpu ?? 0), 0);
    const lines = files
      .slice(0, SHOWN)
      .map(
        (file) =>
          `  ${file.seconds.toFixed(1).padStart(7)} s  ${file.cpu === undefined ? '      ?' : file.cpu.toFixed(1).padStart(7)} s CPU  ${file.name}`,
      );
    process.stdout.write(
      `\nSlowest test files (wall time, then CPU time of the file and its child processes):\n${lines.join('\n')}\n` +
        `  CPU time of all ${cpuKnown.length} files: ${totalCpu.toFixed(0)} s; ` +
        `timeouts stretched ×${process.env[SLOWDOWN_ENV] ?? '1'} for the load when the run started ` +
        `(load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)\n`,
    );
  }
}
