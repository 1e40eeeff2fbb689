// paired comparison: ours (cnn) then torch, 3 rounds
import { selectBackend } from '../benchmarks/backend/select-backend.js';
import { compareWithTorch, formatSideBySide } from '../benchmarks/perf/torch-comparison.js';
await selectBackend('wasm');
const r = await compareWithTorch(['cnn'], Number(process.argv[2] ?? 3));
if (r.ok) for (const x of r.results) console.log(formatSideBySide(x, 'wasm')); else console.log(r.reason);
