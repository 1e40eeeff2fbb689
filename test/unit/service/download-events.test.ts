import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../benchmarks/domain.js';
import { downloadEvents } from '../../../benchmarks/service/download-events.js';

const MODEL = 'imagenet/mobilenet-v2-0.35';

describe('downloadEvents', () => {
  it('turns download reports into events with bytes, rate and time left, at most one per interval, the last always', () => {
    const events: EngineEvent[] = [];
    let t = 1_000;
    const report = downloadEvents(
      (e) => events.push(e),
      () => t,
      250,
    );
    report({ model: MODEL, file: 'model.json', bytes: 0, total: 0 }); // model.json: size not known yet
    report({ model: MODEL, file: 'group1-shard1of2.bin', bytes: 0, total: 4000 });
    t += 100;
    report({ model: MODEL, file: 'group1-shard1of2.bin', bytes: 500, total: 4000 }); // within 250 ms: dropped
    t += 900;
    report({ model: MODEL, file: 'group1-shard1of2.bin', bytes: 1000, total: 4000 });
    t += 100;
    report({ model: MODEL, file: 'group1-shard2of2.bin', bytes: 4000, total: 4000 }); // the end: never dropped
    report({ model: MODEL, file: 'group1-shard2of2.bin', bytes: 4000, total: 4000 }); // said once
    expect(events).toEqual([
      {
        type: 'model-download',
        model: MODEL,
        file: 'group1-shard1of2.bin',
        bytes: 0,
        total: 4000,
        bytesPerSecond: null,
        etaSeconds: null,
        done: false,
      },
      {
        type: 'model-download',
        model: MODEL,
        file: 'group1-shard1of2.bin',
        bytes: 1000,
        total: 4000,
        bytesPerSecond: 1000, // 1000 bytes in 1 s
        etaSeconds: 3, // 3000 bytes left at 1000/s
        done: false,
      },
      {
        type: 'model-download',
        model: MODEL,
        file: 'group1-shard2of2.bin',
        bytes: 4000,
        total: 4000,
        bytesPerSecond: 4000 / 1.1,
        etaSeconds: 0,
        done: true,
      },
    ]);
  });

  it('counts the rate from what this download fetched, not what a broken earlier one left', () => {
    const events: EngineEvent[] = [];
    let t = 0;
    const report = downloadEvents(
      (e) => events.push(e),
      () => t,
      0,
    );
    report({ model: MODEL, file: 'a.bin', bytes: 3000, total: 4000 }); // resumed at 3000
    t += 500;
    report({ model: MODEL, file: 'a.bin', bytes: 3500, total: 4000 });
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: 1000, etaSeconds: 0.5, done: false });
    // the same model downloaded again later (its cache deleted): a new rate
    report({ model: MODEL, file: 'a.bin', bytes: 4000, total: 4000 });
    t += 10_000;
    report({ model: MODEL, file: 'a.bin', bytes: 0, total: 4000 });
    t += 1000;
    report({ model: MODEL, file: 'a.bin', bytes: 2000, total: 4000 });
    expect(events.at(-1)).toMatchObject({ bytesPerSecond: 2000, etaSeconds: 1, done: false });
  });
});
