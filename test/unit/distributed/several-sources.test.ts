/**
 * Distributed runs of a suite with several sources (issue 17, "one runner"): each source's model is pretrained once,
 * by a worker, from that source's view of the suite; each transfer trial starts from its own source's model; the
 * workers get the same trial jobs a local run gives its worker processes; the suite records every source's
 * pretraining; and a resume says when a source's cache key changed, as a local resume does. On a real PostgreSQL,
 * with fake worker processes.
 */
import { describe, expect, it } from 'vitest';
import type { PretrainRecord, RunEvent } from '../../../benchmarks/domain.js';
import { SuiteRun } from '../../../benchmarks/runner/suite-runner.js';
import { loadSuite, type LoadedSuite } from '../../../benchmarks/spec/load-suite.js';
import { specForSource } from '../../../benchmarks/spec/sources.js';
import { openStore } from '../../../benchmarks/store/open-store.js';
import type { TrialJob } from '../../../benchmarks/train/jobs.js';
import { requireSystem } from '../../support/system.js';
import { fakeWorkers, okResult } from '../runner/fake-worker.js';
import { ownCache, postgresForFile, sharedDatabase } from './distributed-harness.js';

// mnist-sources pretrains one of its sources on Fashion-MNIST
const hasPostgres = requireSystem('postgresql', 'fashion-mnist');
const mnistSources = loadSuite({ kind: 'builtin', name: 'mnist-sources' });
/** mnist-sources with one size and one seed: scratch, and finetune and linear-probe from each of its two sources. */
const suite: LoadedSuite = { ...mnistSources, spec: { ...mnistSources.spec, sizes: [20], seeds: [0] } };

/** What a trial job asks of a worker, without what differs by where it runs (ids, file paths). */
const asked = (job: TrialJob) => ({ key: job.key, spec: job.spec, hasBase: job.base !== null });
const byKey = (a: { key: { approach: string; source?: string } }, b: { key: { approach: string; source?: string } }) =>
  `${a.key.approach}@${a.key.source}`.localeCompare(`${b.key.approach}@${b.key.source}`);

describe.runIf(hasPostgres)('distributed runs of a suite with several sources', () => {
  const postgres = postgresForFile();

  it('pretrains each source once and gives each trial its own source, as a local run does', async () => {
    // the reference: the same suite run locally (SQLite), its jobs to its worker processes
    const localStore = await openStore(`${process.env.TRANSFER_BENCH_CACHE}/local.db`);
    const local = fakeWorkers();
    const localRun = await SuiteRun.start(
      { store: localStore, forkWorker: local.forker, backend: 'wasm', workers: 1, onEvent: () => {} },
      suite,
    );
    expect(await localRun.finished).toBe('done');
    await localStore.close();
    ownCache(); // a fresh cache: the distributed run pretrains on its workers, not from the local run's models

    const db = await sharedDatabase(postgres(), 'several_sources');
    try {
      const coordinator = await db.coordinator(suite);
      const remote = fakeWorkers({ writeModels: true, trial: () => ({ result: okResult(0.8) }) });
      await db.worker(remote, 2);
      expect(await coordinator.run.finished).toBe('done');

      const sourceNames = suite.spec.sources!.map((s) => s.name);
      expect(
        remote.pretrainJobs
          .map((j) => j.spec)
          .sort((a, b) => a.pretrain!.dataset.kind.localeCompare(b.pretrain!.dataset.kind)),
      ).toEqual(
        sourceNames
          .map((name) => specForSource(suite.spec, name))
          .sort((a, b) => a.pretrain!.dataset.kind.localeCompare(b.pretrain!.dataset.kind)),
      );
      expect(remote.trialJobs.map(asked).sort(byKey)).toEqual(local.trialJobs.map(asked).sort(byKey));
      const pretrainStarted = coordinator.events.filter(
        (e): e is Extract<RunEvent, { type: 'pretrain-started' }> => e.type === 'pretrain-started',
      );
      expect(pretrainStarted.map((e) => e.source).sort()).toEqual([...sourceNames].sort());

      const shared = await db.connect();
      const stored = await shared.store.requireSuite(coordinator.run.suiteId);
      expect(stored.pretrains?.map((p) => p.source)).toEqual(sourceNames);
      const trials = await shared.store.listTrials(coordinator.run.suiteId);
      expect(trials.every((t) => t.status === 'done')).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('a resume says which source’s cache key changed since the suite started, as a local resume does', async () => {
    const db = await sharedDatabase(postgres(), 'several_sources_resume');
    try {
      // one trial fails (its worker process dies), so that the suite has something to resume
      let failed = false;
      const fake = fakeWorkers({
        writeModels: true,
        trial: () => {
          if (failed) return { result: okResult(0.8) };
          failed = true;
          return 'die';
        },
      });
      const first = await db.coordinator(suite);
      await db.worker(fake, 1);
      expect(await first.run.finished).toBe('done');
      const shared = await db.connect();
      const stored = await shared.store.requireSuite(first.run.suiteId);
      expect(stored.trialsFinished).toBe(stored.trialsTotal);
      // the suite as if its source "fashion" had been pretrained from other data files when it started
      const changed: PretrainRecord[] = stored.pretrains!.map((p) =>
        p.source === 'fashion' ? { ...p, cacheKey: 'cnn-0000000000000000' } : p,
      );
      await shared.store.setSuitePretrain(first.run.suiteId, changed);

      const again = await db.coordinator(suite, { resumeId: first.run.suiteId, resume: { retryFailed: true } });
      expect(await again.run.finished).toBe('done');
      const started = again.events.find((e) => e.type === 'suite-started');
      const notices = started?.type === 'suite-started' ? (started.notices ?? []) : [];
      expect(notices.join('\n')).toMatch(
        /the model of source "fashion"'s cache key changed since this suite started \(cnn-0000000000000000 → cnn-[0-9a-f]{16}/,
      );
      expect(notices.join('\n')).not.toMatch(/digits-0-4/);
    } finally {
      await db.close();
    }
  });
});
