import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** Stand-ins for Electron's BrowserWindow and MessageChannelMain: what the GPU windows use of them. */
class FakePort extends EventEmitter {
  readonly postMessage = vi.fn();
  readonly start = vi.fn();
  readonly close = vi.fn();
}

class FakeWebContents extends EventEmitter {
  readonly postMessage = vi.fn();
}

class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly loadFile = vi.fn(() => (fake.loadError ? Promise.reject(fake.loadError) : Promise.resolve()));
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    fake.windows.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const fake = vi.hoisted(() => ({
  windows: [] as FakeBrowserWindow[],
  ports: [] as { port1: FakePort; port2: FakePort }[],
  switches: [] as string[],
  /** Set to make loadFile fail. */
  loadError: null as Error | null,
  /** What the page answers to each message the main process posts (set per test). */
  answer: (_message: { type: string }): unknown[] => [],
}));

vi.mock('electron', () => ({
  app: {
    commandLine: {
      appendSwitch: (name: string, value?: string) =>
        fake.switches.push(value === undefined ? name : `${name}=${value}`),
    },
  },
  BrowserWindow: FakeBrowserWindow,
  MessageChannelMain: class {
    readonly port1 = new FakePort();
    readonly port2 = new FakePort();
    constructor() {
      fake.ports.push(this);
      const port = this.port1;
      port.postMessage.mockImplementation((message: { type: string }) => {
        for (const reply of fake.answer(message))
          queueMicrotask(() => port.emit('message', { data: reply, ports: [] }));
      });
    }
  },
}));

const { GPU_PORT_CHANNEL, GpuWindow, electronGpuWorkers, setupGpuSwitches } =
  await import('../../../electron/gpu-windows.js');

const files = { html: '/app/dist/gpu/gpu-page.html', preload: '/app/dist/electron/gpu-preload.cjs' };
const DEVICE = 'GPU (WebGPU in Electron 45 (Chromium 140)): nvidia ampere';

beforeEach(() => {
  fake.windows.length = 0;
  fake.ports.length = 0;
  fake.switches.length = 0;
  fake.loadError = null;
  fake.answer = () => [];
});

describe('GPU worker windows', () => {
  it('are hidden, sandboxed, without Node, load the GPU page and get one end of a MessageChannel', async () => {
    await GpuWindow.open(files);
    const [window] = fake.windows;
    expect(window!.options).toEqual({
      show: false,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        preload: files.preload,
        backgroundThrottling: false,
      },
    });
    expect(window!.loadFile).toHaveBeenCalledWith(files.html);
    const { port1, port2 } = fake.ports[0]!;
    expect(window!.webContents.postMessage).toHaveBeenCalledWith(GPU_PORT_CHANNEL, null, [port2]);
    expect(port1.start).toHaveBeenCalled();
  });

  it('post typed arrays through the port as they are (structured clone), and pass the replies on', async () => {
    const page = await GpuWindow.open(files);
    const { port1 } = fake.ports[0]!;
    const images = Float32Array.from([0.25, 0.5]);
    await page.post({
      type: 'pretrain',
      spec: {} as never,
      task: { pool: { images } as never, test: {} as never, standardise: false },
    });
    const sent = port1.postMessage.mock.calls[0]![0] as { task: { pool: { images: unknown } } };
    expect(sent.task.pool.images).toBe(images);
    const replies: unknown[] = [];
    page.onMessage((m) => replies.push(m));
    port1.emit('message', { data: { type: 'pretrain-epoch', epoch: 1, epochs: 2, loss: 1, accuracy: 0.5 }, ports: [] });
    expect(replies).toEqual([{ type: 'pretrain-epoch', epoch: 1, epochs: 2, loss: 1, accuracy: 0.5 }]);
  });

  it('report a crashed page once with its reason, and close by destroying the window', async () => {
    const page = await GpuWindow.open(files);
    const gone: string[] = [];
    page.onGone((reason) => gone.push(reason));
    const [window] = fake.windows;
    window!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    window!.emit('closed');
    expect(gone).toEqual(["the GPU window's page crashed (crashed, exit code 139)"]);
    await expect(page.post({ type: 'probe' })).rejects.toThrow('the GPU window is gone');
    await page.close();
    expect(window!.destroyed).toBe(true);
  });

  it('run a worker in the main process: init opens a window whose page reports the adapter', async () => {
    fake.answer = (m) => (m.type === 'init' ? [{ type: 'ready', backend: { name: 'webgpu', device: DEVICE } }] : []);
    const workers = electronGpuWorkers(files);
    const handle = workers.fork('webgpu');
    const messages: unknown[] = [];
    handle.onMessage((m) => messages.push(m));
    handle.send({ type: 'init', backend: 'webgpu' });
    await vi.waitFor(() => expect(messages).toEqual([{ type: 'ready', backend: { name: 'webgpu', device: DEVICE } }]));
    const init = fake.ports[0]!.port1.postMessage.mock.calls[0]![0] as {
      type: string;
      backend: string;
      runtime: string;
    };
    expect(init).toMatchObject({ type: 'init', backend: 'webgpu' });
    expect(init.runtime).toMatch(/^Electron /);
    const exits: unknown[] = [];
    handle.onExit((code, signal) => exits.push([code, signal]));
    handle.kill();
    await vi.waitFor(() => expect(fake.windows[0]!.destroyed).toBe(true));
    expect(exits).toEqual([[null, 'SIGKILL']]);
  });

  it('auto: a hidden window is asked once whether there is a hardware GPU adapter; a software one is not taken', async () => {
    const software = { vendor: 'google', architecture: 'swiftshader', description: '', software: true };
    fake.answer = () => [
      {
        type: 'probed',
        probe: { webgpu: { api: 'webgpu', ...software }, webgl: { api: 'webgl', ...software }, problems: [] },
      },
    ];
    const workers = electronGpuWorkers(files);
    expect(await workers.autoBackend()).toBeNull();
    expect(await workers.autoBackend()).toBeNull();
    // the environment panel's report comes from the same probe, naming Electron's Chromium
    const report = await workers.probe();
    expect(report.webgpu).toMatchObject({ architecture: 'swiftshader', software: true });
    expect(report.engine).toMatch(/^Electron .* \(Chromium .*\)$/);
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.destroyed).toBe(true);
  });

  it('probe: a window whose page does not load is reported with the reason, not thrown', async () => {
    fake.loadError = new Error('ERR_FILE_NOT_FOUND (-6) loading gpu-page.html');
    expect(await electronGpuWorkers(files).probe()).toEqual({
      engine: null,
      webgpu: null,
      webgl: null,
      problems: ['could not probe the GPU in a hidden window: ERR_FILE_NOT_FOUND (-6) loading gpu-page.html'],
    });
  });

  it('turn on WebGPU with enable-unsafe-webgpu on Linux only', () => {
    setupGpuSwitches('linux', {});
    setupGpuSwitches('win32', {});
    setupGpuSwitches('darwin', {});
    expect(fake.switches).toEqual(['enable-unsafe-webgpu']);
  });

  it('add the switches of TRANSFER_BENCH_CHROMIUM_ARGS, as for the CLI Chromium; a malformed one is skipped', () => {
    const env = { TRANSFER_BENCH_CHROMIUM_ARGS: ' --enable-unsafe-swiftshader  --enable-features=Vulkan,WebGPU ' };
    setupGpuSwitches('linux', env);
    expect(fake.switches).toEqual([
      'enable-unsafe-webgpu',
      'enable-unsafe-swiftshader',
      'enable-features=Vulkan,WebGPU',
    ]);
    fake.switches.length = 0;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    setupGpuSwitches('win32', { TRANSFER_BENCH_CHROMIUM_ARGS: 'enable-unsafe-swiftshader' });
    expect(fake.switches).toEqual([]);
    expect(error).toHaveBeenCalledWith(
      'transfer-bench: TRANSFER_BENCH_CHROMIUM_ARGS: "enable-unsafe-swiftshader" is not a Chromium switch (--name or --name=value); starting without the extra switches',
    );
    error.mockRestore();
  });
});
