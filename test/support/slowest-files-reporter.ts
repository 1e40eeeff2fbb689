import { availableParallelism, loadavg } from 'node:os';
import type { Reporter, TestModule } from 'vitest/node';
import { SLOWDOWN_ENV } from './machine-load.js';

const SHOWN = 8;

/**
 * Lists, at the end of the run, the test files that took longest, with the CPU time each used (recorded by
 * file-cost.ts) and the total: the wall-clock times swing with the machine's load, the CPU times much less.
 */
export default class SlowestFilesReporter implements Reporter {
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
