/**
 * The reference workloads side by side with PyTorch on one thread (Debian's `python3-torch`), measured in alternating
 * rounds (ours, then PyTorch right after) so that the machine's other load disturbs both alike.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Architecture } from '../spec/suite-schema.js';
import { DEFAULT_STEPS, measureTrainingThroughput } from './measure.js';
import type { ThroughputResult } from './measure.js';

/** Pythons tried in turn: the one on PATH (maybe a pyenv shim without torch), then Debian's. */
const PYTHONS = ['python3', '/usr/bin/python3'];
/** Exit status of torch_reference.py when torch does not import. */
const NO_TORCH = 3;

/** The Python script: beside this module in the source tree, or there seen from its compiled copy in dist/. */
export function torchScriptPath(): string {
  const candidates = ['./torch_reference.py', '../../../benchmarks/perf/torch_reference.py'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

export interface TorchRate {
  arch: Architecture | 'mobilenet-v2';
  threads: number;
  samplesPerSecond: number;
  samplesPerCpuSecond: number;
  torch: string;
}

type RunResult = { ok: true; rates: TorchRate[] } | { ok: false; missing: boolean; reason: string };

function runPython(python: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(python, [torchScriptPath(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => resolve({ ok: false, missing: true, reason: `${python}: ${error.message}` }));
    child.on('close', (code) => {
      if (code !== 0) {
        const last = stderr.trim().split('\n').pop() ?? '';
        resolve({ ok: false, missing: code === NO_TORCH, reason: `${python} exited with ${code}: ${last}` });
        return;
      }
      const rates = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as TorchRate);
      resolve({ ok: true, rates });
    });
  });
}

let chosenPython: string | null = null;

/**
 * PyTorch's training rate of `archs` on `threads` threads (same models, Adam, batch), or why it could not run:
 * `missing` when no Python here imports torch.
 */
export async function measureTorch(
  archs: Architecture[],
  options: { threads?: number; batchSize?: number } = {},
): Promise<RunResult> {
  const args = [
    '--threads',
    String(options.threads ?? 1),
    '--batch',
    String(options.batchSize ?? 64),
    '--cnn-steps',
    String(DEFAULT_STEPS.cnn.steps),
    '--mlp-steps',
    String(DEFAULT_STEPS.mlp.steps),
    ...archs.flatMap((a) => ['--arch', a]),
  ];
  return runTorchScript(args);
}

/**
 * Runs torch_reference.py with `args` on the first Python here that imports torch, or says why it could not:
 * `missing` when none does (or, for MobileNetV2, when torchvision is missing).
 */
export async function runTorchScript(args: string[]): Promise<RunResult> {
  for (const python of chosenPython === null ? PYTHONS : [chosenPython]) {
    const result = await runPython(python, args);
    if (result.ok) {
      chosenPython = python;
      return result;
    }
    if (!result.missing) return result;
  }
  return {
    ok: false,
    missing: true,
    reason: `python3-torch is not installed (apt install python3-torch); tried ${PYTHONS.join(', ')}`,
  };
}

export interface SideBySide {
  arch: Architecture | 'mobilenet-v2';
  /** Median over rounds of our samples/s on the active backend. */
  ours: number;
  /** Median over rounds of PyTorch's samples/s. */
  torch: number;
  /** Median over rounds of ours / PyTorch, each round's pair measured back to back. */
  ratio: number;
  /** The same ratio in samples per CPU-second of each process: what a busy machine disturbs less. */
  cpuRatio: number;
  rounds: number;
  torchVersion: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `rounds` rounds of: our rate of each arch on the active backend, then PyTorch's (one thread) right after. Returns
 * the medians, or the reason PyTorch could not run (`missing` when it is not installed).
 */
export async function compareWithTorch(
  archs: Architecture[],
  rounds = 3,
): Promise<{ ok: true; results: SideBySide[] } | { ok: false; missing: boolean; reason: string }> {
  const ours = new Map<Architecture, number[]>(archs.map((a) => [a, []]));
  const theirs = new Map<Architecture, number[]>(archs.map((a) => [a, []]));
  const ratios = new Map<Architecture, number[]>(archs.map((a) => [a, []]));
  const cpuRatios = new Map<Architecture, number[]>(archs.map((a) => [a, []]));
  let version = '';
  for (let round = 0; round < rounds; round++) {
    const mine = new Map<Architecture, ThroughputResult>();
    for (const arch of archs) mine.set(arch, await measureTrainingThroughput(arch, DEFAULT_STEPS[arch]));
    const torch = await measureTorch(archs);
    if (!torch.ok) return torch;
    for (const arch of archs) {
      const rate = torch.rates.find((r) => r.arch === arch);
      if (rate === undefined) return { ok: false, missing: false, reason: `the PyTorch script did not report ${arch}` };
      version = rate.torch;
      const own = mine.get(arch)!;
      ours.get(arch)!.push(own.samplesPerSecond);
      theirs.get(arch)!.push(rate.samplesPerSecond);
      ratios.get(arch)!.push(own.samplesPerSecond / rate.samplesPerSecond);
      cpuRatios.get(arch)!.push(own.samplesPerCpuSecond / rate.samplesPerCpuSecond);
    }
  }
  return {
    ok: true,
    results: archs.map((arch) => ({
      arch,
      ours: median(ours.get(arch)!),
      torch: median(theirs.get(arch)!),
      ratio: median(ratios.get(arch)!),
      cpuRatio: median(cpuRatios.get(arch)!),
      rounds,
      torchVersion: version,
    })),
  };
}

/**
 * `cnn wasm 2512 samples/s, PyTorch 1.13.1 (1 thread) 5366 samples/s: 0.47× (median of 3 rounds; per CPU-second
 * 0.49×)`
 */
export function formatSideBySide(result: SideBySide, backend: string): string {
  return (
    `${result.arch} ${backend} ${Math.round(result.ours)} samples/s, PyTorch ${result.torchVersion} (1 thread) ` +
    `${Math.round(result.torch)} samples/s: ${result.ratio.toFixed(2)}× ` +
    `(median of ${result.rounds} rounds; per CPU-second ${result.cpuRatio.toFixed(2)}×)`
  );
}
