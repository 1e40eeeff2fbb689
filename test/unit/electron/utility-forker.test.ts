import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for Electron's UtilityProcess: an event emitter with postMessage and kill. */
class FakeUtilityProcess extends EventEmitter {
  readonly postMessage = vi.fn();
  readonly kill = vi.fn(() => true);
}

const fake = vi.hoisted(() => ({
  forks: [] as { modulePath: string; args: string[]; options: Record<string, unknown>; child: unknown }[],
}));

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (modulePath: string, args: string[], options: Record<string, unknown>) => {
      const child = new FakeUtilityProcess();
      fake.forks.push({ modulePath, args, options, child });
      return child;
    },
  },
}));

const { electronForker } = await import('../../../electron/utility-forker.js');

function lastChild(): FakeUtilityProcess {
  return fake.forks.at(-1)!.child as FakeUtilityProcess;
}

beforeEach(() => {
  fake.forks.length = 0;
});

describe('electronForker', () => {
  it('forks the worker module as a utility process with the given execArgv', () => {
    electronForker('/app/dist/benchmarks/runner/trial-worker.js', ['--max-old-space-size=2048']);
    expect(fake.forks[0]).toMatchObject({
      modulePath: '/app/dist/benchmarks/runner/trial-worker.js',
      args: [],
      options: { execArgv: ['--max-old-space-size=2048'], serviceName: 'Transfer Bench trial worker' },
    });
  });

  it('holds messages until the process has spawned, then sends them in order', () => {
    const handle = electronForker('/w.js', []);
    const child = lastChild();
    handle.send({ type: 'init', backend: 'wasm' });
    handle.send({ type: 'trial', n: 1 });
    expect(child.postMessage).not.toHaveBeenCalled();
    child.emit('spawn');
    handle.send({ type: 'trial', n: 2 });
    expect(child.postMessage.mock.calls.map(([m]) => m)).toEqual([
      { type: 'init', backend: 'wasm' },
      { type: 'trial', n: 1 },
      { type: 'trial', n: 2 },
    ]);
  });

  it('passes messages from the worker on and reports the exit once', () => {
    const handle = electronForker('/w.js', []);
    const child = lastChild();
    const messages: unknown[] = [];
    const exits: [number | null, string | null][] = [];
    handle.onMessage((m) => messages.push(m));
    handle.onExit((code, signal) => exits.push([code, signal]));
    child.emit('spawn');
    child.emit('message', { type: 'ready' });
    child.emit('exit', 134);
    child.emit('exit', 134);
    expect(messages).toEqual([{ type: 'ready' }]);
    expect(exits).toEqual([[134, null]]);
  });

  it('neither sends to nor kills a process that has exited', () => {
    const handle = electronForker('/w.js', []);
    const child = lastChild();
    child.emit('spawn');
    handle.kill();
    expect(child.kill).toHaveBeenCalledOnce();
    child.emit('exit', 0);
    handle.send({ type: 'late' });
    handle.kill();
    expect(child.postMessage).not.toHaveBeenCalled();
    expect(child.kill).toHaveBeenCalledOnce();
  });
});
