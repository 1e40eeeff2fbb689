import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists together, at the end of the run, every test file that skipped tests because a system component is missing
 * (recorded by requireSystem in test/support/system.ts), with the one-line reason naming what to install.
 */
export default class SystemSkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines = testModules.flatMap((module) =>
      [...new Set(module.meta().systemSkips ?? [])].map((reason) => `  ${module.relativeModuleId}: ${reason}`),
    );
    if (lines.length === 0) return;
    process.stdout.write(
      `\nSkipped, something to install is missing (with CI=true, a missing Debian package fails the run instead):\n${lines.join('\n')}\n`,
    );
  }
}
