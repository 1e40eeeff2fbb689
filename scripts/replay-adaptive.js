#!/usr/bin/env node
/**
 * Replays the adaptive design over a fixed grid already stored, without training anything: a trial is deterministic
 * given its approach, size and seed, so the design's rounds (restricted to the grid's sizes and seeds) are looked up in
 * the stored trials. Prints the rounds, the share of the grid's trials and of its compute (the trials' stored wall
 * seconds, summed) the design used, and the Claims table and crossovers of its trials against the full grid's (same
 * analysis code as the report). Nothing is written: the database is opened read-only.
 * Usage: npm run build:engine && node scripts/replay-adaptive.js <db> [--suite ID] [--rule product|verdicts] [--json]
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = (path) => join(root, 'dist', 'benchmarks', path);
if (!existsSync(built('design/design-replay.js'))) {
  console.error('replay-adaptive: run `npm run build:engine` first');
  process.exit(1);
}
const { openStore } = await import(built('store/open-store.js'));
const { analyzeSuite } = await import(built('analysis/analyze-suite.js'));
const { suiteArms } = await import(built('spec/sources.js'));
const { designTrial } = await import(built('design/suite-design.js'));
const { replayOverGrid, compareAnswers } = await import(built('design/design-replay.js'));
const { nextRound } = await import(built('design/adaptive-design.js'));
const { verdictRound } = await import(built('design/verdict-design.js'));
/** The designs a replay can try: the product's (`nextRound`), and the claims-targeted one (design/verdict-design.ts). */
const RULES = { product: nextRound, verdicts: verdictRound };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    suite: { type: 'string' },
    rule: { type: 'string', default: 'product' },
    json: { type: 'boolean', default: false },
  },
});
const [dbPath] = positionals;
if (!dbPath || !existsSync(dbPath)) {
  console.error(
    `replay-adaptive: give the SQLite file of a finished fixed-grid suite${dbPath ? ` (${dbPath} not found)` : ''}`,
  );
  process.exit(1);
}

const rule = RULES[values.rule];
if (!rule) {
  console.error(`replay-adaptive: --rule ${values.rule} is not a design; give one of ${Object.keys(RULES).join(', ')}`);
  process.exit(1);
}

const store = await openStore(dbPath, { readonly: true });
try {
  const suites = await store.listSuites();
  const suite = values.suite ? await store.requireSuite(Number(values.suite)) : suites.at(-1);
  if (!suite) throw new Error(`${dbPath} holds no suite`);
  if (suite.spec.design) throw new Error(`suite ${suite.id} is adaptive already: replay a fixed grid`);
  const trials = await store.listTrials(suite.id);
  const epochs = await store.listEpochs(suite.id);
  const unfinished = trials.filter((t) => t.status === 'pending' || t.status === 'running');
  if (unfinished.length > 0)
    throw new Error(`suite ${suite.id} has ${unfinished.length} unfinished trials: resume it before replaying`);
  const { spec } = suite;
  const settings = {
    minSize: spec.sizes[0],
    maxSize: spec.sizes.at(-1),
    arms: suiteArms(spec),
    seeds: spec.seeds,
    candidateSizes: spec.sizes,
  };
  const replay = replayOverGrid(settings, trials.map(designTrial), rule);
  const key = (t) => `${t.approach}|${t.source ?? ''}|${t.trainSize}|${t.seed}`;
  const chosenKeys = new Set(replay.chosen.map(key));
  const chosenTrials = trials.filter((t) => chosenKeys.has(key(t)));
  const chosenIds = new Set(chosenTrials.map((t) => t.id));
  const wall = (ts) => ts.reduce((s, t) => s + (t.wallSeconds ?? 0), 0);
  // CPU seconds, where every trial has them (stored since schema version 8; earlier databases have none): the compute itself
  const cpu = (ts) => ts.reduce((s, t) => s + t.cpuSeconds, 0);
  const hasCpu = trials.every((t) => t.cpuSeconds !== null);
  // The stored wall seconds move with the machine's load (a trial run beside other work takes longer): the share is
  // also given with each trial costed at the median of its approach and size over the grid's seeds.
  const groups = new Map();
  for (const t of trials) {
    const g = `${t.approach}|${t.source ?? ''}|${t.trainSize}`;
    groups.set(g, [...(groups.get(g) ?? []), t.wallSeconds ?? 0]);
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const typical = (ts) =>
    ts.reduce((sum, t) => sum + median(groups.get(`${t.approach}|${t.source ?? ''}|${t.trainSize}`)), 0);
  const full = analyzeSuite(suite, trials, epochs);
  const replayed = analyzeSuite(
    suite,
    chosenTrials,
    epochs.filter((e) => chosenIds.has(e.trialId)),
  );
  const answers = compareAnswers(full, replayed);
  const stop = replay.steps.at(-1);
  const result = {
    suite: {
      id: suite.id,
      name: suite.name,
      trials: trials.length,
      wallSeconds: wall(trials),
      cpuSeconds: hasCpu ? cpu(trials) : null,
    },
    rule: values.rule,
    replay: {
      rounds: replay.steps
        .filter((s) => s.kind === 'add')
        .map((s) => ({ trials: s.trials.length, reasons: s.reasons })),
      stop: stop.kind === 'stop' ? { kind: stop.stop, reason: stop.reason } : null,
      trials: chosenTrials.length,
      chosen: replay.chosen.map((t) => ({
        approach: t.approach,
        ...(t.source === undefined ? {} : { source: t.source }),
        trainSize: t.trainSize,
        seed: t.seed,
      })),
      wallSeconds: wall(chosenTrials),
      trialShare: chosenTrials.length / trials.length,
      computeShare: wall(chosenTrials) / wall(trials),
      medianComputeShare: typical(chosenTrials) / typical(trials),
      cpuSeconds: hasCpu ? cpu(chosenTrials) : null,
      cpuShare: hasCpu ? cpu(chosenTrials) / cpu(trials) : null,
    },
    ...answers,
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const pct = (x) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `suite ${suite.id} (${suite.name}): ${trials.length} trials, ${wall(trials).toFixed(0)} s of trial wall time`,
    );
    result.replay.rounds.forEach((r, i) => console.log(`  round ${i}: ${r.trials} trials: ${r.reasons.join('; ')}`));
    console.log(`  ${result.replay.stop ? result.replay.stop.reason : 'not stopped'}`);
    console.log(
      `replayed design: ${result.replay.trials} trials (${pct(result.replay.trialShare)}), ${result.replay.wallSeconds.toFixed(0)} s (${pct(result.replay.computeShare)} of the grid's trial wall time; ${pct(result.replay.medianComputeShare)} with each trial at its group's median)`,
    );
    console.log(
      hasCpu
        ? `  CPU: ${result.replay.cpuSeconds.toFixed(0)} of the grid's ${result.suite.cpuSeconds.toFixed(0)} CPU seconds (${pct(result.replay.cpuShare)})`
        : `  CPU: not stored for every trial of this suite (trials run before schema version 8 keep none): the shares above are of wall time`,
    );
    for (const c of answers.claims)
      console.log(
        `  claim ${c.id}${c.source ? `@${c.source}` : ''}: ${c.sameLabel ? 'same' : c.sameKind ? 'same kind' : 'DIFFERENT'}: grid "${c.grid}", replayed "${c.replayed}"`,
      );
    for (const c of answers.crossovers)
      console.log(
        `  crossover ${c.arm}: ${c.withinStep ? 'within one ×1.6 step' : 'DIFFERENT'}: grid ${JSON.stringify(c.grid)}, replayed ${JSON.stringify(c.replayed)}`,
      );
  }
} catch (error) {
  console.error(`replay-adaptive: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
