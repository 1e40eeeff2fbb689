import { describe, expect, it } from 'vitest';
import type { TrialKey } from '../../../benchmarks/domain.js';
import { GpuHost } from '../../../benchmarks/gpu/gpu-host.js';
import type { PageChannel } from '../../../benchmarks/gpu/page-channel.js';
import type { FromPage, ToPage } from '../../../benchmarks/gpu/page-protocol.js';
import type { FromWorker } from '../../../benchmarks/runner/worker-protocol.js';
import { loadSuite } from '../../../benchmarks/spec/load-suite.js';
import { TINY_SUITE } from '../../integration/cli-helpers.js';

const DEVICE = 'software adapter, not a GPU (WebGL2 in Fake 1): fake swiftshader';

/** A page that answers as a script says; `crash()` and `fail()` do what a renderer crash and a lost GPU do. */
class FakePage implements PageChannel {
  readonly runtime = 'Fake 1';
  readonly posted: ToPage[] = [];
  private listeners: ((m: FromPage) => void)[] = [];
  private goneListeners: ((reason: string) => void)[] = [];
  closed = false;

  constructor(private readonly script: (message: ToPage, page: FakePage) => void) {}

  post(message: ToPage): Promise<void> {
    this.posted.push(message);
    queueMicrotask(() => this.script(message, this));
    return Promise.resolve();
  }
  onMessage(listener: (m: FromPage) => void): void {
    this.listeners.push(listener);
  }
  onGone(listener: (reason: string) => void): void {
    this.goneListeners.push(listener);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  reply(message: FromPage): void {
    this.listeners.forEach((l) => l(message));
  }
  crash(): void {
    this.goneListeners.forEach((l) => l('the browser page crashed (its renderer process died)'));
  }
}

/** Answers init and finishes every trial, except what `onTrial` does instead. */
function script(onTrial?: (message: Extract<ToPage, { type: 'trial' }>, page: FakePage) => boolean) {
  return (message: ToPage, page: FakePage): void => {
    if (message.type === 'init') page.reply({ type: 'ready', backend: { name: 'webgl', device: DEVICE } });
    if (message.type !== 'trial') return;
    page.reply({ type: 'trial-started', trialId: message.job.trialId, maxEpochs: 1 });
    if (onTrial?.(message, page)) return;
    page.reply({
      type: 'trial-done',
      trialId: message.job.trialId,
      numTensors: 7,
      result: {
        status: 'done',
        testAccuracy: 0.5,
        testLoss: 1,
        epochs: 1,
        bestEpoch: 1,
        steps: 1,
        wallSeconds: 0.1,
        cpuSeconds: null,
        trainableParams: 1,
        totalParams: 1,
        trainFlops: 1,
        peakBytes: 1,
        backend: 'webgl',
        device: DEVICE,
        error: null,
        epochRecords: [],
        learningRate: 0.01,
        lrCandidates: [],
        protocol: null,
      },
    });
  };
}

function hostWith(pageScript: (message: ToPage, page: FakePage) => void) {
  const pages: FakePage[] = [];
  const sent: FromWorker[] = [];
  const host = new GpuHost(
    async () => {
      const page = new FakePage(pageScript);
      pages.push(page);
      return page;
    },
    (m) => sent.push(m),
  );
  return { host, pages, sent };
}

const spec = loadSuite({ kind: 'file', path: TINY_SUITE }).spec;
const trial = (trialId: number, key: TrialKey) =>
  ({ type: 'trial', job: { trialId, spec, baseDir: '/', key, base: null } }) as const;
const done = (sent: FromWorker[], trialId: number) =>
  sent.find((m): m is Extract<FromWorker, { type: 'trial-done' }> => m.type === 'trial-done' && m.trialId === trialId)!;

describe('GpuHost (the Node side of a GPU worker)', () => {
  it("answers init with the adapter the page found and sends a task's examples to the page once, as typed arrays", async () => {
    const { host, pages, sent } = hostWith(script());
    await host.handle({ type: 'init', backend: 'webgl' });
    expect(sent[0]).toEqual({ type: 'ready', backend: { name: 'webgl', device: DEVICE } });
    await host.handle(trial(1, { approach: 'scratch', trainSize: 10, seed: 0 }));
    await host.handle(trial(2, { approach: 'scratch', trainSize: 10, seed: 1 }));
    const [first, second] = pages[0]!.posted.slice(1) as Extract<ToPage, { type: 'trial' }>[];
    // the task crosses once per page, as typed arrays; the next trial names it
    expect(first!.task!.pool.images).toBeInstanceOf(Float32Array);
    expect(first!.task!.pool.labels).toBeInstanceOf(Int32Array);
    expect(first!.task!.test.count).toBe(500);
    expect(second!.task).toBeNull();
    expect(second!.taskKey).toBe(first!.taskKey);
    expect(second!.job.key).toEqual({ approach: 'scratch', trainSize: 10, seed: 1 });
    expect(sent.map((m) => m.type)).toEqual(['ready', 'trial-started', 'trial-done', 'trial-started', 'trial-done']);
  });

  it('fails the trial in flight with the reason when the page crashes, and runs the next one in a new page', async () => {
    const { host, pages, sent } = hostWith(
      script((message, page) => {
        if (message.job.trialId !== 1) return false;
        page.crash();
        return true;
      }),
    );
    await host.handle({ type: 'init', backend: 'webgl' });
    await host.handle(trial(1, { approach: 'scratch', trainSize: 10, seed: 0 }));
    await host.handle(trial(2, { approach: 'scratch', trainSize: 10, seed: 1 }));
    expect(done(sent, 1).result).toMatchObject({ status: 'failed', backend: 'webgl', device: DEVICE });
    expect(done(sent, 1).result.error).toMatch(/page crashed.*suite goes on/);
    expect(done(sent, 2).result.status).toBe('done');
    expect(pages).toHaveLength(2);
    expect(pages[0]!.closed).toBe(true);
  });

  it('fails a trial whose GPU was lost with the reason', async () => {
    const { host, sent } = hostWith(
      script((_message, page) => {
        page.reply({ type: 'gpu-failed', reason: 'WebGL context lost', outOfMemory: false });
        return true;
      }),
    );
    await host.handle({ type: 'init', backend: 'webgl' });
    await host.handle(trial(1, { approach: 'scratch', trainSize: 10, seed: 0 }));
    expect(done(sent, 1).result.error).toMatch(/^WebGL context lost/);
  });

  it('says which trial ran out of GPU memory and what batch and training-set size to try', async () => {
    const { host, sent } = hostWith(
      script((message, page) => {
        if (message.job.key.trainSize < 40) return false;
        page.reply({ type: 'gpu-failed', reason: 'WebGPU out of memory: allocation failed', outOfMemory: true });
        return true;
      }),
    );
    await host.handle({ type: 'init', backend: 'webgpu' });
    await host.handle(trial(1, { approach: 'scratch', trainSize: 10, seed: 0 }));
    await host.handle(trial(2, { approach: 'finetune', trainSize: 40, seed: 0 }));
    expect(done(sent, 2).result.error).toBe(
      'GPU out of memory in trial finetune, 40 examples, seed 0: WebGPU out of memory: allocation failed. ' +
        'Try a smaller batchSize for finetune (it is 32; try 16), sizes up to 10 examples (the largest that ' +
        'finished on this GPU), or the wasm backend, which uses main memory',
    );
  });

  it('ends the reason once, whatever punctuation the engine gave it', async () => {
    const { host, sent } = hostWith(
      script((_message, page) => {
        page.reply({
          type: 'gpu-failed',
          reason: 'Requested texture size [12541x12542] greater than WebGL maximum on this browser / GPU [8192x8192].',
          outOfMemory: true,
        });
        return true;
      }),
    );
    await host.handle({ type: 'init', backend: 'webgl' });
    await host.handle(trial(1, { approach: 'scratch', trainSize: 10, seed: 0 }));
    expect(done(sent, 1).result.error).toMatch(/GPU \[8192x8192\]\. Try a smaller batchSize/);
  });

  it('answers init-failed as a user error when the engine has no such backend', async () => {
    const { host, sent } = hostWith((message, page) => {
      if (message.type === 'init') {
        page.reply({ type: 'init-failed', error: 'backend "webgpu" is not available: no adapter', userError: true });
      }
    });
    await host.handle({ type: 'init', backend: 'webgpu' });
    expect(sent).toEqual([
      { type: 'init-failed', error: 'backend "webgpu" is not available: no adapter', userError: true },
    ]);
  });
});
