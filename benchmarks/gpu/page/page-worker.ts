/**
 * The browser side of a GPU worker: bundled by esbuild (npm run build:gpu-worker) into dist/gpu/page-worker.js and
 * loaded by dist/gpu/gpu-page.html in a headless Chromium page (CLI, serve) or a hidden Electron window (app).
 * It trains with the same modules as the Node workers (train/train-trial.ts, train/pretrain-model.ts); it never
 * reads files: its host sends each job with its examples as typed arrays and stores what comes back.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendInfo } from '../../backend/select-backend.js';
import { errorMessage } from '../../errors.js';
import { pretrainModel } from '../../train/pretrain-model.js';
import { mobilenetTrainingStep, referenceTrainingStep } from '../../train/reference-step.js';
import { trainTrial, type TrialTask } from '../../train/train-trial.js';
import { extractBinary, resolveBinary } from '../binary-refs.js';
import { HOST_BINDING, PAGE_GLOBAL, type FromPage, type ToPage } from '../page-protocol.js';
import { probeAdapters } from './adapters.js';
import { activateBackend, type GpuFailure } from './page-backend.js';

const delay = (ms: number): Promise<null> => new Promise((resolve) => setTimeout(() => resolve(null), ms));

/** The Electron preload hands the page one end of a MessageChannel with this message. */
const PORT_MESSAGE = 'transfer-bench-gpu-port';

let port: MessagePort | null = null;
const hostBinding = (): ((message: FromPage) => Promise<void>) | undefined =>
  (globalThis as unknown as Record<string, ((message: FromPage) => Promise<void>) | undefined>)[HOST_BINDING];

/** Base64 of bytes (Uint8Array.prototype.toBase64 where the engine has it). */
function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (native) return native.call(bytes);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function send(message: FromPage): void {
  if (port) port.postMessage(message);
  // Playwright passes call arguments as JSON: typed arrays go as base64 that the host decodes (binary-refs.ts).
  else void hostBinding()?.(extractBinary(message, toBase64) as FromPage);
}

let backend: BackendInfo | null = null;
let loseDevice: (() => void) | null = null;
/** Settles when the GPU fails (device or context lost, out of memory); the host is told once. */
let gpuFailure: GpuFailure | null = null;
let gpuFailed: Promise<GpuFailure> = new Promise(() => {});
const bases = new Map<string, Promise<tfl.LayersModel>>();
/** The tasks of the suite(s) this page trains, sent once each: the latest two are kept. */
const tasks = new Map<string, TrialTask>();

function keepTask(key: string, task: TrialTask): void {
  tasks.delete(key);
  tasks.set(key, task);
  while (tasks.size > 2) tasks.delete(tasks.keys().next().value!);
}
let queue: Promise<void> = Promise.resolve();

function cachedBase(base: { path: string; artifacts: tf.io.ModelArtifacts }): Promise<tfl.LayersModel> {
  let model = bases.get(base.path);
  if (!model) {
    model = tfl.loadLayersModel(tf.io.fromMemory(base.artifacts));
    bases.set(base.path, model);
    model.catch(() => bases.delete(base.path));
  }
  return model;
}

async function modelArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  if (!saved) throw new Error('the model was not saved');
  const artifacts: tf.io.ModelArtifacts = saved;
  const data = artifacts.weightData;
  return { ...artifacts, weightData: Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data };
}

async function handle(message: ToPage): Promise<void> {
  switch (message.type) {
    case 'probe':
      send({ type: 'probed', probe: await probeAdapters() });
      return;
    case 'init':
      try {
        let settle: (failure: GpuFailure) => void = () => {};
        gpuFailed = new Promise((resolve) => (settle = resolve));
        const active = await activateBackend(message.backend, message.runtime, (failure) => {
          gpuFailure = failure;
          settle(failure);
          send({ type: 'gpu-failed', ...failure });
        });
        backend = active.info;
        loseDevice = active.lose;
        send({ type: 'ready', backend });
      } catch (error) {
        send({
          type: 'init-failed',
          error: `backend "${message.backend}" is not available: ${errorMessage(error)}`,
          userError: true,
        });
      }
      return;
    case 'trial': {
      if (!backend) throw new Error('trial before init');
      const { trialId } = message.job;
      const task = message.task ?? tasks.get(message.taskKey);
      if (!task) throw new Error(`the page does not hold task ${message.taskKey}`);
      if (message.task) keepTask(message.taskKey, message.task);
      const baseModel = message.base ? await cachedBase(message.base) : undefined;
      const result = await trainTrial({ job: message.job, task, baseModel }, backend, {
        onStart: (maxEpochs) => send({ type: 'trial-started', trialId, maxEpochs }),
        onEvaluation: (record, maxEpochs) => send({ type: 'trial-epoch', trialId, record, maxEpochs }),
      });
      // A lost device first shows as whatever call it broke (e.g. WebGPU's mapAsync); its own report follows within
      // moments and says what happened: then the host fails the trial with that reason instead.
      if (result.status === 'failed' && (gpuFailure ?? (await Promise.race([gpuFailed, delay(1000)])))) return;
      send({ type: 'trial-done', trialId, result, numTensors: tf.memory().numTensors });
      return;
    }
    case 'throughput': {
      const training =
        typeof message.arch === 'string'
          ? referenceTrainingStep(message.arch, message.batchSize)
          : mobilenetTrainingStep(message.arch, message.batchSize);
      try {
        for (let i = 0; i < message.warmupSteps; i++) await training.step();
        const start = performance.now();
        for (let i = 0; i < message.steps; i++) await training.step();
        const seconds = (performance.now() - start) / 1000;
        send({ type: 'throughput-done', samples: message.steps * message.batchSize, seconds });
      } finally {
        training.dispose();
      }
      return;
    }
    case 'pretrain':
      try {
        const trained = await pretrainModel(message.spec, message.task, (epoch, epochs, loss, accuracy) =>
          send({ type: 'pretrain-epoch', epoch, epochs, loss, accuracy }),
        );
        try {
          const { model, ...record } = trained;
          send({ type: 'pretrain-trained', trained: record, artifacts: await modelArtifacts(model) });
        } finally {
          trained.model.dispose();
        }
      } catch (error) {
        send({ type: 'pretrain-failed', error: errorMessage(error), userError: false });
      }
      return;
  }
}

function receive(message: ToPage): void {
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => {
      // A job the page could not even start (a base model that does not load): its host fails the job with this.
      send({ type: 'gpu-failed', reason: `the page failed: ${errorMessage(error)}`, outOfMemory: false });
    });
}

/** Playwright's host: calls this with binary references that the page fetches from routed URLs. */
(globalThis as unknown as Record<string, unknown>)[PAGE_GLOBAL] = {
  receive: async (message: unknown): Promise<void> => {
    const resolved = await resolveBinary(message, async (url) => (await fetch(url)).arrayBuffer());
    receive(resolved as ToPage);
  },
  /** What a GPU reset does to a running job (the page reports gpu-failed): for tests of that path. */
  loseDevice: (): boolean => {
    loseDevice?.();
    return loseDevice !== null;
  },
};

/** Electron's host: a MessagePort whose messages carry typed arrays by structured clone. */
window.addEventListener('message', (event) => {
  if (event.data !== PORT_MESSAGE || !event.ports[0]) return;
  port = event.ports[0];
  port.onmessage = (portEvent) => receive(portEvent.data as ToPage);
  port.start();
});
