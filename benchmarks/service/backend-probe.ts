/**
 * What a shell needs to probe the native TensorFlow backends its own way (the desktop app: in a utility process,
 * since its runAsNode fuse is off). See benchmarks/backend/native-probe.ts.
 */
import { NATIVE_PACKAGES, probeNativeBackend, type ProbeRunner } from '../backend/native-probe.js';
import { errorMessage } from '../errors.js';

export { PROBE_ENTRY_ENV, PROBE_SCRIPT, type ProbeOutcome, type ProbeRunner } from '../backend/native-probe.js';

/**
 * Probes every installed native backend with `runProbe` and caches the results (user data folder), so that trial
 * workers find them cached and never start a probe process themselves. Quick when none is installed; never throws.
 */
export async function probeNativeBackends(runProbe: ProbeRunner): Promise<void> {
  for (const pkg of Object.values(NATIVE_PACKAGES)) {
    try {
      await probeNativeBackend(pkg, { runProbe });
    } catch (error) {
      console.error(`transfer-bench: probing ${pkg} failed: ${errorMessage(error)}`);
    }
  }
}
