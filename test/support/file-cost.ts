/**
 * Setup file (vitest.config.ts): records what each test file cost in CPU time, its own process and every child
 * process it waited for (CLI runs, trial workers, Chromium, PostgreSQL), for the slowest-files list at the end of the
 * run (slowest-files-reporter.ts). CPU time is what a busy machine does not inflate, so it tells which files are heavy
 * even when the wall-clock times are swollen by other work.
 */
import { readFileSync } from 'node:fs';
import { TestRunner, afterAll } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** CPU seconds (user + system) of the test file's process and the child processes it waited for. */
    cpuSeconds?: number;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

/** This process's CPU seconds plus its waited-for children's, from /proc (null elsewhere than Linux). */
function cpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis):
    // state is field 3; utime, stime, cutime, cstime are fields 14-17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const atStart = cpuSeconds();
const file = TestRunner.getCurrentSuite()?.file;

afterAll(() => {
  const now = cpuSeconds();
  if (atStart !== null && now !== null && file) file.meta.cpuSeconds = now - atStart;
});
