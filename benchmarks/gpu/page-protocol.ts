import type { io } from '@tensorflow/tfjs-core';
import type { FromWorker } from '../runner/worker-protocol.js';
import type { Architecture, MobilenetV2Spec, SuiteSpec } from '../spec/suite-schema.js';
import type { TrialJob } from '../train/jobs.js';
import type { PretrainedModel } from '../train/pretrain-model.js';
import type { TrialTask } from '../train/train-trial.js';
import type { AdapterProbe } from './adapter.js';
import type { BrowserBackendName } from './browser-backends.js';

/**
 * Messages between a GPU worker's host (Node: the CLI's worker process, or Electron's main process) and the browser
 * page that trains. Examples and weights travel as typed arrays (binary), never as JSON lists of numbers.
 */
export type ToPage =
  | { type: 'init'; backend: BrowserBackendName; runtime: string }
  | { type: 'probe' }
  | {
      type: 'trial';
      job: TrialJob;
      /** The task's identity; `task` comes with the first trial of a task in this page, null after (the page keeps it). */
      taskKey: string;
      task: TrialTask | null;
      /** The pretrained model (path is its identity: the page loads each one once). */
      base: { path: string; artifacts: io.ModelArtifacts } | null;
    }
  | { type: 'pretrain'; spec: SuiteSpec; task: TrialTask }
  /** bench:perf: the reference training step (train/reference-step.ts), timed after a warm-up. */
  | { type: 'throughput'; arch: Architecture | MobilenetV2Spec; batchSize: number; warmupSteps: number; steps: number };

export type { AdapterProbe };

export type FromPage =
  | Extract<
      FromWorker,
      {
        type:
          | 'ready'
          | 'init-failed'
          | 'trial-started'
          | 'trial-epoch'
          | 'trial-done'
          | 'pretrain-epoch'
          | 'pretrain-failed';
      }
    >
  | { type: 'probed'; probe: AdapterProbe }
  | { type: 'throughput-done'; samples: number; seconds: number }
  | { type: 'pretrain-trained'; trained: Omit<PretrainedModel, 'model'>; artifacts: io.ModelArtifacts }
  /** The GPU device (WebGPU) or context (WebGL) was lost, or ran out of memory: nothing more can run in this page. */
  | { type: 'gpu-failed'; reason: string; outOfMemory: boolean };

/** The page's global entry point for hosts that call into it (Playwright); Electron's host uses a MessagePort. */
export const PAGE_GLOBAL = 'transferBenchGpuPage';
/** The function a Playwright host exposes to the page for its replies. */
export const HOST_BINDING = 'transferBenchGpuHost';
