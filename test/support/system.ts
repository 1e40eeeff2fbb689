/**
 * Tests that need something outside npm (Debian's chromium, the Fashion-MNIST files, a display, python3-torch,
 * PostgreSQL) declare it here:
 *
 *   describe.skipIf(!requireSystem('chromium'))('the app in Chromium', () => { ... });
 *
 * Where a component is missing, the block is skipped and its one-line reason (naming the Debian package to install)
 * is listed with the others at the end of the run (see system-skips-reporter.ts). With `CI=true` a missing component
 * is an error instead: the test file fails, so CI, which installs every component, never skips silently.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TestRunner } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** One line per missing system component, for the list at the end of the run. */
    systemSkips?: string[];
  }
}

export type SystemComponent =
  'chromium' | 'fashion-mnist' | 'display' | 'python3-torch' | 'python3-scipy' | 'postgresql' | 'apt-lists';

/** Debian's chromium unless TRANSFER_BENCH_CHROMIUM names another Chromium build. */
export const CHROMIUM_PATH = process.env.TRANSFER_BENCH_CHROMIUM ?? '/usr/bin/chromium';
/** Where Debian's dataset-fashion-mnist installs the IDX files (the engine's built-in suite reads them there). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const;
/** Debian's python3 (python3-torch installs torch for it) unless TRANSFER_BENCH_PYTHON names another. */
export const PYTHON_PATH = process.env.TRANSFER_BENCH_PYTHON ?? '/usr/bin/python3';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, command)));
}

/**
 * The PostgreSQL server binaries (initdb, pg_ctl, postgres): TRANSFER_BENCH_PG_BIN, else the newest
 * /usr/lib/postgresql/<version>/bin that has them (Debian's layout), else null.
 */
export function postgresBinDir(): string | null {
  const hasServer = (dir: string): boolean => ['initdb', 'pg_ctl', 'postgres'].every((b) => isExecutable(join(dir, b)));
  const override = process.env.TRANSFER_BENCH_PG_BIN;
  if (override) return hasServer(override) ? override : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  return null;
}

/** What is missing and how to get it, or null when the component is there. */
const probes: Record<SystemComponent, () => string | null> = {
  chromium: () =>
    isExecutable(CHROMIUM_PATH)
      ? null
      : `no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set TRANSFER_BENCH_CHROMIUM to a Chromium executable)`,
  'fashion-mnist': () => {
    const missing = FASHION_MNIST_FILES.filter((file) => !existsSync(join(FASHION_MNIST_DIR, file)));
    return missing.length === 0
      ? null
      : `no Fashion-MNIST files in ${FASHION_MNIST_DIR} (${missing.join(', ')} missing): apt-get install dataset-fashion-mnist`;
  },
  display: () =>
    process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY
      ? null
      : onPath('xvfb-run')
        ? 'no display (DISPLAY and WAYLAND_DISPLAY are unset): run the tests under `xvfb-run -a`'
        : 'no display (DISPLAY and WAYLAND_DISPLAY are unset): apt-get install xvfb xauth and run the tests under `xvfb-run -a`',
  'python3-torch': () => {
    if (!isExecutable(PYTHON_PATH)) {
      return `no Python at ${PYTHON_PATH}: apt-get install python3-torch (or set TRANSFER_BENCH_PYTHON)`;
    }
    const probe = spawnSync(PYTHON_PATH, ['-c', 'import torch; torch.zeros(1)'], { encoding: 'utf8', timeout: 60_000 });
    return probe.status === 0 ? null : `${PYTHON_PATH} cannot import torch: apt-get install python3-torch`;
  },
  'python3-scipy': () => {
    if (!isExecutable(PYTHON_PATH)) {
      return `no Python at ${PYTHON_PATH}: apt-get install python3-scipy (or set TRANSFER_BENCH_PYTHON)`;
    }
    const probe = spawnSync(PYTHON_PATH, ['-c', 'import scipy.stats'], { encoding: 'utf8', timeout: 60_000 });
    return probe.status === 0 ? null : `${PYTHON_PATH} cannot import scipy: apt-get install python3-scipy`;
  },
  'apt-lists': () => {
    if (!onPath('apt-cache')) return 'no apt-cache: the debian-text data needs a Debian machine with apt';
    const probe = spawnSync('apt-cache', ['stats'], { encoding: 'utf8', timeout: 60_000 });
    return probe.status === 0 && /Total package names: [1-9]/.test(probe.stdout)
      ? null
      : 'apt has no package lists: run apt-get update';
  },
  postgresql: () =>
    postgresBinDir() !== null
      ? null
      : process.env.TRANSFER_BENCH_PG_BIN
        ? `no initdb, pg_ctl and postgres in TRANSFER_BENCH_PG_BIN=${process.env.TRANSFER_BENCH_PG_BIN}: apt-get install postgresql`
        : 'no PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin: apt-get install postgresql (or set TRANSFER_BENCH_PG_BIN)',
};

const cache = new Map<SystemComponent, string | null>();

/** Why the component is missing (one line naming the Debian package), or null when it is there. Cached. */
export function missingReason(component: SystemComponent): string | null {
  if (!cache.has(component)) cache.set(component, probes[component]());
  return cache.get(component)!;
}

/** True under CI, where a missing component must fail the run rather than skip tests. */
export function inCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * Lists a skip for the end of the run (on the test file's metadata, which the reporter reads). For what is not a
 * system component (requireSystem records those itself), e.g. a download that CI machines cannot make.
 */
export function recordSkip(reason: string): void {
  const file = TestRunner.getCurrentSuite()?.file;
  if (file) {
    file.meta.systemSkips = [...(file.meta.systemSkips ?? []), reason];
  } else {
    console.warn(`skipped: ${reason}`);
  }
}

/**
 * True when every component is there. When one is missing: with CI=true, throws (the test file fails and says what
 * to install); otherwise records the reasons for the end-of-run list and returns false, for `describe.skipIf`.
 */
export function requireSystem(...components: SystemComponent[]): boolean {
  const reasons = components.map(missingReason).filter((reason): reason is string => reason !== null);
  if (reasons.length === 0) return true;
  if (inCi()) {
    throw new Error(`CI=true and a system component is missing: ${reasons.join('; ')}`);
  }
  for (const reason of reasons) recordSkip(reason);
  return false;
}
