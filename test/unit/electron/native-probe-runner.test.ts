import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { probeNativeBackend } from '../../../benchmarks/backend/native-probe.js';
import { makeFakeNativeRoot, setFake } from '../backend/fake-native.js';

/**
 * The packaged app probes native backends in a utility process (its runAsNode fuse is off). The faked
 * utilityProcess.fork runs the real child module (electron/native-probe-child.ts, through tsx) in a Node process
 * with the options the runner gives, so the runner, the child module and the probe script are tested together.
 */

const require = createRequire(import.meta.url);
const TSX = require.resolve('tsx');

const fake = vi.hoisted(() => ({ forks: [] as { modulePath: string; options: Record<string, unknown> }[] }));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  return {
    utilityProcess: {
      fork: (modulePath: string, _args: string[], options: { env: NodeJS.ProcessEnv; stdio: string }) => {
        fake.forks.push({ modulePath, options });
        const child = spawn(process.execPath, ['--import', TSX, modulePath.replace(/\.js$/, '.ts')], {
          env: options.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        // A UtilityProcess: stdout, stderr, 'exit' with a code, kill().
        const utility = Object.assign(new Emitter(), {
          stdout: child.stdout,
          stderr: child.stderr,
          kill: () => child.kill('SIGKILL'),
        });
        child.on('exit', (code) => utility.emit('exit', code ?? 1));
        return utility;
      },
    },
  };
});

const { utilityProbeRunner, PROBE_CHILD_MODULE } = await import('../../../electron/native-probe-runner.js');

describe('utilityProbeRunner', () => {
  const from = makeFakeNativeRoot(['@tensorflow/tfjs-node']);
  afterAll(() => rmSync(dirname(from), { recursive: true, force: true }));
  const options = { resolveFrom: from, cacheFile: null, runProbe: utilityProbeRunner };

  it('probes in a utility process running the probe module, without ELECTRON_RUN_AS_NODE', async () => {
    setFake('ok', false);
    const result = await probeNativeBackend('@tensorflow/tfjs-node', options);
    expect(result).toMatchObject({ ok: true, reason: null, gpu: false, version: '4.22.0' });
    expect(fake.forks.at(-1)!.modulePath).toBe(PROBE_CHILD_MODULE);
    expect(fake.forks.at(-1)!.options).toMatchObject({ stdio: 'pipe', serviceName: 'Transfer Bench backend probe' });
    expect((fake.forks.at(-1)!.options.env as NodeJS.ProcessEnv).ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('reports a package that fails to load, and a probe that hangs', async () => {
    setFake('throw', false);
    const failed = await probeNativeBackend('@tensorflow/tfjs-node', options);
    expect(failed.ok).toBe(false);
    expect(failed.reason).toMatch(/^it does not load: libtensorflow\.so\.2/);
    setFake('hang', false);
    const hung = await probeNativeBackend('@tensorflow/tfjs-node', { ...options, timeoutMs: 3_000 });
    expect(hung.reason).toBe('the probe process did not finish in time and was stopped');
  });
});
