/**
 * Probing the native TensorFlow backends (`@tensorflow/tfjs-node`, `@tensorflow/tfjs-node-gpu`) in a child process.
 *
 * Loading libtensorflow can kill the process in ways no `try` catches (SIGILL on CPUs without AVX, a CUDA abort), and
 * `tfjs-node-gpu` loads "successfully" and silently runs on the CPU when CUDA 11 libraries are missing. So we load the
 * package in a throw-away Node process, run a small computation, and ask TensorFlow whether it placed work on a GPU:
 * tfjs-node's backend reads TensorFlow's device list at start-up and puts every op on the GPU device if there is one
 * (`isUsingGpuDevice`). The GPU's name and the reason a GPU was skipped come from TensorFlow's own log
 * (TF_CPP_MIN_LOG_LEVEL=0). The result is cached as JSON in the user data folder, keyed by package version, platform
 * and the CUDA-related environment, so the probe runs once per installation.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import { userDataDir } from '../paths.js';

export const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;
export type NativeBackendName = keyof typeof NATIVE_PACKAGES;
export type NativePackage = (typeof NATIVE_PACKAGES)[NativeBackendName];

export interface NativeProbeResult {
  package: NativePackage;
  /** True when the package loaded in the probe process and computed a matMul correctly. */
  ok: boolean;
  /** Why the backend cannot be used (when `ok` is false). */
  reason: string | null;
  version: string | null;
  /** True when TensorFlow found a GPU device and tfjs-node places ops on it. */
  gpu: boolean;
  /** The GPU's name as TensorFlow logged it, e.g. "NVIDIA GeForce RTX 3090". */
  gpuName: string | null;
  /** Why TensorFlow registered no GPU, when its log says, e.g. "could not load libcudart.so.11.0". */
  gpuProblem: string | null;
  /** Absolute path of the package's entry point, for loading it in-process once the probe succeeded. */
  entry: string | null;
  probedAt: string;
}

export interface ProbeOptions {
  /** File or folder (ending in a separator) to resolve the packages from. Default: this module's location. */
  resolveFrom?: string;
  /** JSON cache of probe results; null disables caching. Default: `<userDataDir>/backend-probe.json`. */
  cacheFile?: string | null;
  /** Ignore a cached result and probe again. */
  refresh?: boolean;
  /** Time allowed for the probe process; PTX JIT on new GPUs can be slow. Default 180 s. */
  timeoutMs?: number;
  /**
   * Starts the probe process. Default: this executable with `-e PROBE_SCRIPT` (Node, or Electron with
   * ELECTRON_RUN_AS_NODE). The packaged app has the runAsNode fuse off and passes a utility-process runner.
   */
  runProbe?: ProbeRunner;
}

/** What a probe process did: how it ended and what it printed. */
export interface ProbeOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs PROBE_SCRIPT for `entry` (passed in env PROBE_ENTRY_ENV) in a separate process, with TF_CPP_MIN_LOG_LEVEL=0. */
export type ProbeRunner = (entry: string, timeoutMs: number) => Promise<ProbeOutcome>;

/** Where PROBE_SCRIPT reads the entry point of the package to probe. */
export const PROBE_ENTRY_ENV = 'TRANSFER_BENCH_PROBE_ENTRY';

const RESULT_MARK = '@@transfer-bench-probe@@';

/**
 * What the probe process runs (CommonJS, via `node -e`, so it works the same from source, from dist/ and inside
 * Electron with ELECTRON_RUN_AS_NODE; the app's utility process runs it with `require` given). The entry point of the
 * package to probe comes in env TRANSFER_BENCH_PROBE_ENTRY.
 */
export const PROBE_SCRIPT = `
const mark = ${JSON.stringify(RESULT_MARK)};
// exit once the line is written: a pipe may be asynchronous (Windows), and libtensorflow may leave threads running
const report = (r) => process.stdout.write('\\n' + mark + JSON.stringify(r) + '\\n', () => process.exit(0));
const message = (e) => (e && e.message) || String(e);
(async () => {
  let tf;
  try {
    tf = require(process.env.${PROBE_ENTRY_ENV});
  } catch (e) {
    return report({ ok: false, reason: 'it does not load: ' + message(e) });
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the "tensorflow" backend did not initialise');
    const a = tf.ones([64, 64]);
    const value = tf.matMul(a, a).dataSync()[0];
    if (value !== 64) throw new Error('a test matMul returned ' + value + ' instead of 64');
    report({ ok: true, gpu: tf.backend().isUsingGpuDevice === true });
  } catch (e) {
    report({ ok: false, reason: 'it loaded but failed a test computation: ' + message(e) });
  }
})();
`;

function notInstalledReason(pkg: NativePackage): string {
  const needs =
    pkg === '@tensorflow/tfjs-node-gpu' ? '; Linux or Windows with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1' : '';
  return `${pkg} is not installed (npm install ${pkg}; it downloads libtensorflow at install${needs})`;
}

interface Resolved {
  entry: string;
  version: string;
}

function resolvePackage(pkg: NativePackage, resolveFrom: string): Resolved | null {
  const require = createRequire(resolveFrom);
  let packageJson: string;
  try {
    packageJson = require.resolve(`${pkg}/package.json`);
  } catch {
    return null;
  }
  let version = 'unknown';
  try {
    const parsed: unknown = JSON.parse(readFileSync(packageJson, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
      version = parsed.version;
    }
  } catch {
    // an unreadable package.json shows up when the probe loads the package
  }
  try {
    return { entry: require.resolve(pkg), version };
  } catch (error) {
    return {
      entry: join(dirname(packageJson), 'index.js'),
      version: `${version} (entry point: ${errorMessage(error)})`,
    };
  }
}

function cacheKey(pkg: NativePackage, resolved: Resolved): string {
  const env = ['CUDA_VISIBLE_DEVICES', 'LD_LIBRARY_PATH', 'CUDA_PATH'].map((k) => `${k}=${process.env[k] ?? ''}`);
  return [pkg, resolved.version, resolved.entry, process.platform, process.arch, process.versions.modules, ...env].join(
    '|',
  );
}

type Cache = Record<string, NativeProbeResult>;

function readCache(file: string): Cache {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Cache) : {};
  } catch {
    return {};
  }
}

function writeCache(file: string, key: string, result: NativeProbeResult): void {
  try {
    const cache = readCache(file);
    cache[key] = result;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache, null, 2));
    renameSync(tmp, file);
  } catch {
    // a cache we cannot write only costs a probe next time
  }
}

/** Reads what TensorFlow logged about GPUs (its C++ log, on stderr). */
export function parseTensorFlowGpuLog(stderr: string): { gpuName: string | null; gpuProblem: string | null } {
  const created = /Created device \S*GPU:\d+.*?name: ([^,\n]+)/.exec(stderr);
  const missing = /Could not load dynamic library '([^']+)'/.exec(stderr);
  let gpuProblem: string | null = null;
  if (missing?.[1] !== undefined) gpuProblem = `could not load ${missing[1]}`;
  else if (/Cannot dlopen some GPU libraries/.test(stderr)) gpuProblem = 'could not load the CUDA libraries';
  else if (/no CUDA-capable device|CUDA_ERROR_NO_DEVICE/.test(stderr)) gpuProblem = 'no CUDA-capable device';
  return { gpuName: created?.[1]?.trim() ?? null, gpuProblem };
}

const runProbeProcess: ProbeRunner = (entry, timeoutMs) => {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TF_CPP_MIN_LOG_LEVEL: '0', [PROBE_ENTRY_ENV]: entry },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      // keep the tail only: TensorFlow can be chatty at log level 0
      stderr = (stderr + d).slice(-64_000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + errorMessage(error), timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
};

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

function interpret(outcome: ProbeOutcome): { ok: boolean; reason: string | null; gpu: boolean } {
  const line = outcome.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (line !== undefined) {
    try {
      const r = JSON.parse(line.slice(RESULT_MARK.length)) as { ok?: unknown; reason?: unknown; gpu?: unknown };
      return { ok: r.ok === true, reason: typeof r.reason === 'string' ? r.reason : null, gpu: r.gpu === true };
    } catch {
      // fall through: treat as a crash
    }
  }
  if (outcome.timedOut)
    return { ok: false, reason: 'the probe process did not finish in time and was stopped', gpu: false };
  const how = outcome.signal !== null ? `was killed by ${outcome.signal}` : `exited with code ${String(outcome.code)}`;
  const hint = outcome.signal === 'SIGILL' ? ' (the CPU lacks instructions libtensorflow needs, e.g. AVX)' : '';
  const tail = lastLine(outcome.stderr);
  return {
    ok: false,
    reason: `loading it crashed the probe process, which ${how}${hint}${tail ? `: ${tail}` : ''}`,
    gpu: false,
  };
}

/**
 * Finds out whether a native TensorFlow backend can be used here, without risking this process. Cached (see above);
 * a package that is not installed is reported without starting a process.
 */
export async function probeNativeBackend(pkg: NativePackage, options: ProbeOptions = {}): Promise<NativeProbeResult> {
  const resolveFrom = options.resolveFrom ?? fileURLToPath(import.meta.url);
  const cacheFile = options.cacheFile === undefined ? join(userDataDir(), 'backend-probe.json') : options.cacheFile;
  const base = { package: pkg, gpu: false, gpuName: null, gpuProblem: null, probedAt: new Date().toISOString() };

  const resolved = resolvePackage(pkg, resolveFrom);
  if (resolved === null) return { ...base, ok: false, reason: notInstalledReason(pkg), version: null, entry: null };

  const key = cacheKey(pkg, resolved);
  if (cacheFile !== null && options.refresh !== true) {
    const cached = readCache(cacheFile)[key];
    if (cached !== undefined) return cached;
  }

  if (options.runProbe === undefined && process.versions.electron !== undefined) {
    // Inside the app (a trial worker): this executable cannot run as Node (the packaged app's runAsNode fuse is off;
    // it would start a second app). The app probes at start-up with its utility-process runner; nothing cached means
    // that probe did not finish or could not be stored.
    return {
      ...base,
      ok: false,
      reason: `not probed: the app probes ${pkg} when it starts and found no result to use; restart Transfer Bench`,
      version: resolved.version,
      entry: resolved.entry,
    };
  }
  const outcome = await (options.runProbe ?? runProbeProcess)(resolved.entry, options.timeoutMs ?? 180_000);
  const { ok, reason, gpu } = interpret(outcome);
  const log = parseTensorFlowGpuLog(outcome.stderr);
  const result: NativeProbeResult = {
    ...base,
    ok,
    reason,
    version: resolved.version,
    gpu: ok && gpu,
    gpuName: ok && gpu ? log.gpuName : null,
    gpuProblem: ok && !gpu ? log.gpuProblem : null,
    entry: resolved.entry,
  };
  if (cacheFile !== null && !outcome.timedOut) writeCache(cacheFile, key, result);
  return result;
}
