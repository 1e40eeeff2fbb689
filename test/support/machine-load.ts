/**
 * How busy this machine is, so that tests wait long enough on a loaded one and fail fast on an idle one. A test never
 * fails because other work shares the cores: every timeout is a generous idle-machine figure times `slowdown()`.
 *
 * The slowdown is measured, not configured: the run's start measures the share of a core a busy loop gets
 * (vitest.config.ts passes it to every test process in TRANSFER_BENCH_TEST_SLOWDOWN), and each test file takes the
 * larger of that and the load average per core when it starts (file-cost.ts), since other work may start meanwhile.
 */
import { availableParallelism, loadavg } from 'node:os';

/** What every test and hook may take on an idle machine (vitest.config.ts; file-cost.ts scales it per file). */
export const IDLE_TEST_TIMEOUT_MS = 120_000;

/** Where the slowdown measured at the run's start travels to the test processes; set it to impose one. */
export const SLOWDOWN_ENV = 'TRANSFER_BENCH_TEST_SLOWDOWN';

/** Runnable processes per core over the last minute: about how many times slower a process runs now (at least 1). */
export function loadSlowdown(): number {
  return Math.max(1, loadavg()[0]! / availableParallelism());
}

/**
 * Times a loop of fixed work: the wall-clock time it took over the CPU time it got is how many processes it shared
 * its core with. The larger of that and the load average, at least 1.
 */
export function measureSlowdown(workMs = 150): number {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() - wallStart < workMs) {
    // busy: asking for the time is the work
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const share = cpuMs > 0 ? (performance.now() - wallStart) / cpuMs : 1;
  return Math.max(1, share, loadSlowdown());
}

/** The slowdown now: the one measured when the run started, or the load average per core if that is larger. */
export function slowdown(): number {
  const atStart = Number(process.env[SLOWDOWN_ENV]);
  return Math.max(Number.isFinite(atStart) ? atStart : 1, loadSlowdown());
}

/** An idle-machine duration in ms, stretched for how busy the machine is. */
export function scaled(idleMs: number): number {
  return Math.round(idleMs * slowdown());
}
