import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContractClient, RequestOf, SuiteSource, TextFile } from '../../../../benchmarks/contract.js';
import { ESTIMATE_DELAY_MS, SuiteBuilder } from '../../../../renderer/src/lib/state/suite-builder.svelte.js';
import { settle } from '../state/fake-transport.js';
import { digitDraft } from './draft-fixture.js';

/** The builder over a fake engine: draftSuite and estimateSuite answer as the test says, every call is logged. */
function setup(
  options: {
    draftError?: string;
    startError?: string | null;
    pick?: string | null;
    workers?: () => number | undefined;
  } = {},
) {
  const drafts: RequestOf<'draftSuite'>[] = [];
  const estimates: RequestOf<'estimateSuite'>[] = [];
  const saved: TextFile[] = [];
  const started: SuiteSource[] = [];
  const client = {
    draftSuite: async (request: RequestOf<'draftSuite'>) => {
      drafts.push(request);
      if (options.draftError) throw new Error(options.draftError);
      return digitDraft();
    },
    estimateSuite: async (request: RequestOf<'estimateSuite'>) => {
      estimates.push(request);
      const sizes = (request.spec.sizes as number[]).length;
      return {
        seconds: 10 * sizes,
        trials: sizes,
        workers: 2,
        pretrainSeconds: 0,
        samplesPerSecond: 470,
        backend: 'wasm',
      };
    },
  } as unknown as ContractClient;
  const builder = new SuiteBuilder({
    client,
    pickDataPath: options.pick === undefined ? null : async () => options.pick ?? null,
    saveSuite: async (file) => {
      saved.push(file);
      return '/home/me/digits.json';
    },
    startSuite: async (source) => {
      started.push(source);
      return options.startError ?? null;
    },
    workers: options.workers ?? (() => undefined),
  });
  return { builder, drafts, estimates, saved, started };
}

describe('SuiteBuilder', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('looks at the data and shows the drafted suite and its estimate', async () => {
    const { builder, drafts } = setup();
    builder.target = ' /data/digits ';
    await builder.look();
    expect(drafts).toEqual([{ target: '/data/digits' }]);
    expect(builder.draft?.classes.map((c) => c.count)).toEqual([15, 15]);
    expect(builder.form?.sizes).toBe('10, 20, 24');
    expect(builder.result).toEqual({ spec: digitDraft().spec, errors: {} });
    expect(builder.estimate?.seconds).toBe(120);
    expect(builder.drafting).toBe(false);
  });

  it("shows a catalogue model's download while the draft that needs it runs, and only that model's", async () => {
    const { builder } = setup();
    builder.target = '/data/digits';
    builder.source = 'imagenet/mobilenet-v2-0.35';
    const event = {
      type: 'model-download' as const,
      model: 'imagenet/mobilenet-v2-0.35',
      file: 'group1-shard1of1.bin',
      bytes: 100,
      total: 400,
      bytesPerSecond: 50,
      etaSeconds: 6,
      done: false,
    };
    builder.downloading(event); // no draft in flight: not shown
    expect(builder.download).toBeNull();
    const looked = builder.look();
    expect(builder.drafting).toBe(true);
    builder.downloading({ ...event, model: 'imagenet/mobilenet-v1-0.25-128' });
    expect(builder.download).toBeNull();
    builder.downloading(event);
    expect(builder.download).toEqual(event);
    await looked;
    expect(builder.download).toBeNull();
  });

  it('asks for a target path before asking the engine', async () => {
    const { builder, drafts } = setup();
    await builder.look();
    expect(drafts).toEqual([]);
    expect(builder.pathErrors.target).toBe(
      'give the path of a folder of images (one subfolder per class) or a CSV file',
    );
  });

  it("shows the engine's refusal next to the path it concerns", async () => {
    const target = setup({ draftError: 'image folder /data/fives has one class (5): a classifier needs at least 2' });
    target.builder.target = '/data/fives';
    target.builder.source = '/data/other';
    await target.builder.look();
    expect(target.builder.pathErrors).toEqual({
      target: 'image folder /data/fives has one class (5): a classifier needs at least 2',
    });
    expect(target.drafts).toEqual([{ target: '/data/fives', source: '/data/other' }]);
    expect(target.builder.draft).toBeNull();

    const source = setup({ draftError: '/data/model.json not found' });
    source.builder.target = '/data/digits';
    source.builder.source = '/data/model.json';
    await source.builder.look();
    expect(source.builder.pathErrors).toEqual({ source: '/data/model.json not found' });
  });

  it('re-estimates a valid edit once the user stops typing, not an invalid one', async () => {
    const { builder, estimates } = setup();
    builder.target = '/data/digits';
    await builder.look();

    builder.form!.sizes = '10, 500';
    builder.edited();
    expect(builder.result.errors.sizes).toContain('500 is more than the 24 examples');
    expect(builder.estimateStale).toBe(true);
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS * 2);
    await settle();
    expect(estimates).toEqual([]);

    builder.form!.sizes = '10';
    builder.edited();
    builder.form!.sizes = '10, 20';
    builder.edited();
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS);
    await settle();
    expect(estimates).toHaveLength(1);
    expect(estimates[0]!.spec.sizes).toEqual([10, 20]);
    expect(estimates[0]!.basis).toEqual(digitDraft().estimateBasis);
    expect(estimates[0]!.workers).toBeUndefined();
    expect(builder.estimate?.seconds).toBe(20);
    expect(builder.estimateStale).toBe(false);

    // Back to what was estimated: nothing to ask.
    builder.form!.sizes = '10 20';
    builder.edited();
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS);
    await settle();
    expect(estimates).toHaveLength(1);
    expect(builder.estimateStale).toBe(false);
  });

  it('saves the suite as formatted JSON named after it', async () => {
    const { builder, saved } = setup();
    builder.target = '/data/digits';
    await builder.look();
    builder.form!.seeds = '7';
    builder.edited();
    await builder.save();
    expect(saved).toHaveLength(1);
    expect(saved[0]!.name).toBe('digits.json');
    expect(JSON.parse(saved[0]!.content)).toMatchObject({ name: 'digits', seeds: [7] });
    expect(saved[0]!.content).toMatch(/^\{\n {2}"name": "digits",/);
    expect(builder.savedTo).toBe('/home/me/digits.json');
    // An edit after saving: what is on screen is no longer what was saved.
    builder.edited();
    expect(builder.savedTo).toBeNull();
  });

  it('runs the suite as it is in the form, and keeps a refusal next to the Run button', async () => {
    const { builder, started } = setup({ startError: 'class digit-3 has 1 example left for training' });
    builder.target = '/data/digits';
    await builder.look();
    builder.form!.seeds = '0';
    await builder.run();
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ kind: 'text', origin: 'digits (New suite)' });
    expect(JSON.parse((started[0] as { text: string }).text)).toMatchObject({ seeds: [0], sizes: [10, 20, 24] });
    expect(builder.runError).toBe('class digit-3 has 1 example left for training');
    expect(builder.running).toBe(false);
  });

  it('does not save or run a form with a problem', async () => {
    const { builder, saved, started } = setup();
    builder.target = '/data/digits';
    await builder.look();
    builder.form!.seeds = '0, 0';
    await builder.save();
    await builder.run();
    expect(saved).toEqual([]);
    expect(started).toEqual([]);
  });

  it('re-estimates for the number of workers the user chose, and when it changes', async () => {
    let workers: number | undefined = 1;
    const { builder, estimates } = setup({ workers: () => workers });
    builder.target = '/data/digits';
    await builder.look();
    // The draft's estimate is for the engine's default number of workers.
    expect(builder.estimateStale).toBe(true);
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS);
    await settle();
    expect(estimates.map((e) => e.workers)).toEqual([1]);
    builder.refreshEstimate();
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS);
    await settle();
    expect(estimates).toHaveLength(1);
    workers = 2;
    builder.refreshEstimate();
    vi.advanceTimersByTime(ESTIMATE_DELAY_MS);
    await settle();
    expect(estimates.map((e) => e.workers)).toEqual([1, 2]);
    expect(builder.estimateStale).toBe(false);
  });

  it('neither saves nor runs once the paths changed, until the data is looked at again', async () => {
    const { builder, saved, started, drafts } = setup();
    builder.target = '/data/digits';
    await builder.look();
    expect(builder.pathsChanged).toBe(false);
    builder.target = '/data/photos';
    expect(builder.pathsChanged).toBe(true);
    await builder.save();
    await builder.run();
    expect(saved).toEqual([]);
    expect(started).toEqual([]);
    builder.target = '/data/digits ';
    expect(builder.pathsChanged).toBe(false);
    builder.source = '/data/other';
    expect(builder.pathsChanged).toBe(true);
    await builder.look();
    expect(drafts.at(-1)).toEqual({ target: '/data/digits', source: '/data/other' });
    expect(builder.pathsChanged).toBe(false);
  });

  it('in the desktop app, looks at the data as soon as it is chosen in the dialog', async () => {
    const { builder, drafts } = setup({ pick: '/home/me/photos' });
    expect(builder.canPick).toBe(true);
    await builder.choose('target', 'folder');
    expect(builder.target).toBe('/home/me/photos');
    expect(drafts).toEqual([{ target: '/home/me/photos' }]);

    const cancelled = setup({ pick: null });
    await cancelled.builder.choose('target', 'folder');
    expect(cancelled.drafts).toEqual([]);
    expect(setup().builder.canPick).toBe(false);
  });
});
