import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The GPU worker's entry (gpu-worker-process.ts) for a forker; under a TypeScript loader (tests) the source file, run
 * through tsx. Kept apart from that entry so that choosing a forker does not load what the worker itself runs.
 */
export function gpuWorkerModule(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  return {
    path: join(dirname(here), fromSource ? 'gpu-worker-process.ts' : 'gpu-worker-process.js'),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}
