import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunOwner, Store, SuiteOwner } from '../store/store.js';

export { describeOwner } from '../store/store.js';

/**
 * Who runs a suite, and whether that run still lives. A process id alone cannot tell: pids are reused (containers,
 * PID namespaces, reboots) and a pid on another machine sharing the database file means nothing here. So a run
 * records a token of its own, its host, the kernel scope its pid belongs to, the process's start time, and a
 * heartbeat it refreshes every HEARTBEAT_MS. An owner is alive while its heartbeat is fresh; on this machine (same
 * host and scope) it is also dead as soon as its process is gone or its pid now belongs to a younger process.
 */

export const HEARTBEAT_MS = 2_000;
/** A heartbeat older than this means its run is gone (it missed several beats). */
export const STALE_AFTER_MS = 15_000;

function readOr(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Kernel boot and PID namespace ('' where unknown, e.g. not Linux): pids compare only within one scope. */
const SCOPE = readOr(
  () => `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid').trim()}`,
  '',
);

/**
 * A process's start time as the kernel counts it (Linux: clock ticks since boot, field 22 of /proc/<pid>/stat), or
 * null when the process does not exist or this system has no /proc.
 */
export function processStartTicks(pid: number | 'self'): string | null {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 19 ? fields[19]! : null;
}

// Without /proc, the wall-clock start: only this process itself ever compares against it.
const OWN_START = processStartTicks('self') ?? String(Math.round(Date.now() - process.uptime() * 1000));

/**
 * Tokens of the runs this process holds right now. For a suite recorded as held by this very process, this is the
 * whole truth (no heartbeat to wait for): a run that ended without being able to write its end (a full disk) left
 * its suite `running`, and it is not alive.
 */
const liveTokens = new Set<string>();

/** This process as a suite's owner, with a fresh token for one run; `endRun(token)` when the run is over. */
export function thisProcessOwner(): RunOwner {
  const token = randomUUID();
  liveTokens.add(token);
  return {
    token,
    host: hostname(),
    scope: SCOPE,
    pid: process.pid,
    processStart: OWN_START,
  };
}

export function endRun(token: string): void {
  liveTokens.delete(token);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the run that owns a suite looks alive from here. */
export function ownerLooksAlive(owner: SuiteOwner, now = Date.now(), staleAfterMs = STALE_AFTER_MS): boolean {
  const here = owner.host === hostname() && owner.scope === SCOPE;
  if (here && owner.pid === process.pid && owner.processStart === OWN_START) return liveTokens.has(owner.token);
  if (owner.heartbeatAt === null || now - owner.heartbeatAt > staleAfterMs) return false;
  if (!here) return true;
  if (SCOPE === '') return pidExists(owner.pid);
  return processStartTicks(owner.pid) === owner.processStart;
}

/** Suites left `running` by a run that is gone (ownerLooksAlive) are marked cancelled, so that they read as resumable. */
export function recoverInterruptedSuites(store: Store, staleAfterMs = STALE_AFTER_MS): Promise<number[]> {
  return store.recoverInterruptedSuites((owner) => ownerLooksAlive(owner, Date.now(), staleAfterMs));
}
