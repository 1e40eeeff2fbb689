/**
 * The native-backend probe (benchmarks/backend/native-probe.ts) in a utility process: the packaged app has the
 * runAsNode fuse off, so it cannot start itself as Node with `-e`. The script is the same one Node runs; it expects
 * CommonJS `require`, and reads the package to probe from env TRANSFER_BENCH_PROBE_ENTRY.
 */
import { createRequire } from 'node:module';
import { PROBE_SCRIPT } from '../benchmarks/service/backend-probe.js';

// Our own constant script, not input: a Function keeps it identical to what `node -e` runs.
new Function('require', PROBE_SCRIPT)(createRequire(import.meta.url));
