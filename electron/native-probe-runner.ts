import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import {
  PROBE_ENTRY_ENV,
  probeNativeBackends as probeAll,
  type ProbeOutcome,
  type ProbeRunner,
} from '../benchmarks/service/backend-probe.js';

/** The probe module, beside this one in dist/electron/. */
export const PROBE_CHILD_MODULE = fileURLToPath(new URL('./native-probe-child.js', import.meta.url));

/** Runs the native-backend probe in a utility process (no ELECTRON_RUN_AS_NODE: that fuse is off when packaged). */
export const utilityProbeRunner: ProbeRunner = (entry, timeoutMs) =>
  new Promise<ProbeOutcome>((resolve) => {
    const child = utilityProcess.fork(PROBE_CHILD_MODULE, [], {
      stdio: 'pipe',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '0', [PROBE_ENTRY_ENV]: entry },
      serviceName: 'Transfer Bench backend probe',
      allowLoadingUnsignedLibraries: process.platform === 'darwin',
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let exitCode: number | null = null;
    let streamsOpen = (child.stdout ? 1 : 0) + (child.stderr ? 1 : 0);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: exitCode, signal: null, stdout, stderr, timedOut });
    };
    const streamEnded = (): void => {
      streamsOpen--;
      if (streamsOpen === 0 && exitCode !== null) settle();
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (stdout += d)).on('end', streamEnded);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-64_000))).on('end', streamEnded);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.once('exit', (code: number) => {
      exitCode = code;
      if (streamsOpen === 0) settle();
      // Output still in a pipe arrives right after the exit; do not wait for ever on a stream that never ends.
      else setTimeout(settle, 2_000).unref();
    });
  });

/** Probes the installed native backends once, in utility processes (cached; quick when none is installed). */
export function probeNativeBackends(): Promise<void> {
  return probeAll(utilityProbeRunner);
}
