import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChromiumPages } from '../../benchmarks/gpu/chromium-pages.js';
import { gpuHost, gpuSpec, testPages } from '../support/gpu-hosts.js';
import { requireSystem } from '../support/system.js';

/**
 * GPU workers in Debian's Chromium (SwiftShader adapters) over many trials and through failures: no tensors left
 * behind, and a lost GPU or a crashed page fails only its own trial. Needs `npm run build` (dist/gpu).
 *
 * Each backend's tests share one worker (GpuHost) and go in order, as a run's trials do: the page a worker opens
 * compiles every program it meets (5-10 s of SwiftShader for the first trial of a page), so a failure is provoked on
 * the page the earlier tests warmed, and only a lost or crashed page makes the next trial open (and compile) a new one.
 */
describe.skipIf(!requireSystem('chromium'))('GPU workers in Chromium: memory and failures', () => {
  let pages: ChromiumPages;
  beforeAll(() => {
    pages = testPages();
  });
  afterAll(() => pages?.close());

  /** A trial that trains long enough (50 epochs of 4 steps) for a test to act on its page while it is in flight. */
  const longTrial = () =>
    gpuSpec({ approaches: { scratch: { learningRate: 0.01, batchSize: 2, epochs: 50, minSteps: 1, patience: 50 } } });

  /**
   * A real limit of the real device, not a faked page. MobileNetV2 takes 1024×1024 inputs here, and a batch of 300
   * MNIST digits resized to that is a 300×1024×1024 tensor (1.2 GiB): SwiftShader's WebGPU device refuses buffers
   * above its maxBufferSize (1 GiB) with a validation error, and its WebGL texture would exceed MAX_TEXTURE_SIZE
   * (8192), which tfjs-backend-webgl checks before allocating. The limit is reached before anything that large is
   * allocated, so the test is quick; the model is the smallest MobileNetV2 (alpha 0.35). The advice names the largest
   * size that finished on this GPU when one did, else sizes below the trial's.
   */
  async function tooBigThenNext(worker: Worker, backend: string, reason: RegExp, sizes: RegExp): Promise<void> {
    const s = gpuSpec({
      architecture: { name: 'mobilenet-v2', alpha: 0.35, inputSize: 1024 },
      sizes: [330],
      validationFraction: 0.05,
      approaches: { scratch: { learningRate: 0.01, batchSize: 300, epochs: 1, minSteps: 1, patience: 1 } },
    });
    const started = performance.now();
    const tooBig = await worker.trial(s, 101, { approach: 'scratch', trainSize: 330, seed: 0 });
    console.log(`${backend} (${((performance.now() - started) / 1000).toFixed(1)} s): ${tooBig.result.error}`);
    expect(tooBig.result.status).toBe('failed');
    expect(tooBig.result.error).toMatch(/^GPU out of memory in trial scratch, 330 examples, seed 0: /);
    expect(tooBig.result.error).toMatch(reason);
    expect(tooBig.result.error).toMatch(/Try a smaller batchSize for scratch \(it is 300; try 150\), /);
    expect(tooBig.result.error).toMatch(sizes);
    const next = await worker.trial(gpuSpec({}), 102, { approach: 'scratch', trainSize: 10, seed: 1 });
    expect(next.result.status, next.result.error ?? '').toBe('done');
  }

  async function lostThenNext(worker: Worker, backend: string): Promise<void> {
    const lostPage = worker.page();
    const lost = await worker.trial(longTrial(), 201, { approach: 'scratch', trainSize: 10, seed: 0 }, async () => {
      await lostPage.page.evaluate(() =>
        (
          globalThis as unknown as { transferBenchGpuPage: { loseDevice(): boolean } }
        ).transferBenchGpuPage.loseDevice(),
      );
    });
    expect(lost.result.status).toBe('failed');
    expect(lost.result.error).toMatch(backend === 'webgpu' ? /WebGPU device lost/ : /WebGL context lost/);
    const next = await worker.trial(gpuSpec({}), 202, { approach: 'scratch', trainSize: 10, seed: 1 });
    expect(next.result.status, next.result.error ?? '').toBe('done');
    expect(worker.page(), 'the next trial ran in a new page').not.toBe(lostPage);
  }

  type Worker = ReturnType<typeof gpuHost>;

  /** One worker on `backend` for the tests of a describe block: started before them, closed after. */
  function oneWorker(backend: 'webgl' | 'webgpu'): () => Worker {
    let worker: Worker | undefined;
    beforeAll(async () => {
      worker = gpuHost(pages);
      await worker.host.handle({ type: 'init', backend });
    });
    afterAll(() => worker?.host.close());
    return () => worker!;
  }

  describe('on webgl, one worker', () => {
    const worker = oneWorker('webgl');

    // The page's tensor count after each trial (tf.memory() in the page; 0 here: the page keeps no tensor between
    // trials). Every count after the first (which may keep what the backend sets up once) must be the same number, so
    // a trial that leaves even one tensor behind raises the next count and fails the test from the second trial on;
    // 20 trials, not 50, show that (checked by a page worker built to leave one tensor per trial: counts 1 2 … 20,
    // caught).
    it('leaves no tensors behind over 20 trials', async () => {
      const s = gpuSpec({});
      const trials = 20;
      const counts: number[] = [];
      for (let seed = 0; seed < trials; seed++) {
        const done = await worker().trial(s, seed + 1, { approach: 'scratch', trainSize: 10, seed });
        expect(done.result.status, done.result.error ?? '').toBe('done');
        counts.push(done.numTensors);
      }
      expect(counts).toHaveLength(trials);
      expect(
        counts.every((n) => Number.isInteger(n) && n >= 0),
        counts.join(' '),
      ).toBe(true);
      expect(new Set(counts.slice(1)).size, counts.join(' ')).toBe(1);
      expect(counts[trials - 1]).toBeLessThanOrEqual(counts[0]!);
    });

    it('fails a trial whose batch does not fit the GPU, naming the trial and what to try; the next trial runs', () =>
      tooBigThenNext(
        worker(),
        'webgl',
        /Requested texture size \[\d+x\d+\] greater than WebGL maximum on this browser \/ GPU \[\d+x\d+\]/,
        /sizes up to 10 examples \(the largest that finished on this GPU\)/,
      ));

    it('fails the trial whose GPU is lost with the reason, and the next trial runs in a new page', () =>
      lostThenNext(worker(), 'webgl'));

    it('fails the trial whose page crashes with the reason, and the next trial runs in a new page', async () => {
      const crashedPage = worker().page();
      const crashed = await worker().trial(
        longTrial(),
        301,
        { approach: 'scratch', trainSize: 10, seed: 0 },
        async () => {
          const cdp = await crashedPage.page.context().newCDPSession(crashedPage.page);
          await cdp.send('Page.crash').catch(() => {});
        },
      );
      expect(crashed.result.status).toBe('failed');
      expect(crashed.result.error).toMatch(/the browser page crashed.*the suite goes on/);
      const next = await worker().trial(gpuSpec({}), 302, { approach: 'scratch', trainSize: 10, seed: 1 });
      expect(next.result.status, next.result.error ?? '').toBe('done');
      expect(worker().page(), 'the next trial ran in a new page').not.toBe(crashedPage);
    });
  });

  describe('on webgpu, one worker', () => {
    const worker = oneWorker('webgpu');

    it('fails a trial whose batch does not fit the GPU, naming the trial and what to try; the next trial runs', () =>
      tooBigThenNext(
        worker(),
        'webgpu',
        /a WebGPU buffer of \d+ MiB exceeds this device's maxBufferSize \(\d+ MiB\)/,
        /sizes below 330 examples/,
      ));

    it('fails the trial whose GPU is lost with the reason, and the next trial runs in a new page', () =>
      lostThenNext(worker(), 'webgpu'));
  });
});
