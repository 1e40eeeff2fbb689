import { app, BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import { join } from 'node:path';
import { errorMessage } from '../benchmarks/errors.js';
import type { WorkerForker } from '../benchmarks/service/engine-service.js';
import {
  autoBrowserBackend,
  extraChromiumArgs,
  once,
  parseSwitches,
  pageWorkerHandle,
  probeAdapters,
  unprobedReport,
  withGpuWorkers,
  type FromPage,
  type GpuWorkers,
  type PageChannel,
  type ToPage,
} from '../benchmarks/service/gpu-workers.js';

/** The channel the GPU preload listens on for its MessagePort (see gpu-preload.ts). */
export const GPU_PORT_CHANNEL = 'transfer-bench:gpu-port';

export interface GpuWindowFiles {
  /** dist/gpu/gpu-page.html (its bundle beside it). */
  html: string;
  /** dist/electron/gpu-preload.cjs */
  preload: string;
}

export function gpuWindowFiles(appPath: string): GpuWindowFiles {
  return {
    html: join(appPath, 'dist', 'gpu', 'gpu-page.html'),
    preload: join(appPath, 'dist', 'electron', 'gpu-preload.cjs'),
  };
}

/**
 * WebGPU in Chromium on Linux is still behind `--enable-unsafe-webgpu` (Chromium 156 here gives no adapter without
 * it; Electron's own Linux reports say the same, electron/electron#41763); on Windows and macOS it is on by default.
 * $TRANSFER_BENCH_CHROMIUM_ARGS adds switches, as for the CLI's Chromium: e.g. `--enable-features=Vulkan` for a Linux
 * GPU, or `--enable-unsafe-swiftshader` on a machine without one (a windowed Chromium 156 under Xvfb offered no
 * WebGPU adapter without it, where headless Chromium offers SwiftShader's). Must run before the app is ready.
 */
export function setupGpuSwitches(platform: NodeJS.Platform = process.platform, env = process.env): void {
  if (platform === 'linux') app.commandLine.appendSwitch('enable-unsafe-webgpu');
  let extra: [string, string | undefined][] = [];
  try {
    extra = parseSwitches(extraChromiumArgs(env));
  } catch (error) {
    console.error(`transfer-bench: ${errorMessage(error)}; starting without the extra switches`);
  }
  for (const [name, value] of extra) {
    if (value === undefined) app.commandLine.appendSwitch(name);
    else app.commandLine.appendSwitch(name, value);
  }
}

/**
 * A GPU worker's page in the app: a hidden, sandboxed window without Node integration, loading the GPU page from
 * disk and talking only through a MessagePort whose other end stays in this (main) process. Typed arrays cross the
 * port by structured clone: binary, never JSON.
 */
export class GpuWindow implements PageChannel {
  readonly runtime = `Electron ${process.versions.electron} (Chromium ${process.versions.chrome})`;
  private readonly listeners: ((message: FromPage) => void)[] = [];
  private readonly goneListeners: ((reason: string) => void)[] = [];
  private gone = false;
  private closing = false;

  private constructor(
    private readonly window: BrowserWindow,
    private readonly port: MessagePortMain,
  ) {
    port.on('message', (event) => this.listeners.forEach((listener) => listener(event.data as FromPage)));
    port.start();
    window.webContents.on('render-process-gone', (_event, details) =>
      this.lose(`the GPU window's page crashed (${details.reason}, exit code ${details.exitCode})`),
    );
    window.on('closed', () => this.lose('the GPU window closed'));
  }

  static async open(files: GpuWindowFiles): Promise<GpuWindow> {
    const window = new BrowserWindow({
      show: false,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        preload: files.preload,
        // a hidden window's timers are throttled by default: training would crawl
        backgroundThrottling: false,
      },
    });
    await window.loadFile(files.html);
    const { port1, port2 } = new MessageChannelMain();
    window.webContents.postMessage(GPU_PORT_CHANNEL, null, [port2]);
    return new GpuWindow(window, port1);
  }

  post(message: ToPage): Promise<void> {
    if (this.gone) return Promise.reject(new Error('the GPU window is gone'));
    this.port.postMessage(message);
    return Promise.resolve();
  }

  onMessage(listener: (message: FromPage) => void): void {
    this.listeners.push(listener);
  }

  onGone(listener: (reason: string) => void): void {
    this.goneListeners.push(listener);
  }

  close(): Promise<void> {
    this.closing = true;
    this.port.close();
    if (!this.window.isDestroyed()) this.window.destroy();
    return Promise.resolve();
  }

  private lose(reason: string): void {
    if (this.gone || this.closing) return;
    this.gone = true;
    this.goneListeners.forEach((listener) => listener(reason));
  }
}

/**
 * GPU workers in the app: each runs in this process (its jobs' data read here) and trains in its own hidden
 * window. A hidden window is asked once per launch which adapters Electron's Chromium offers: for the environment
 * panel, and for `auto` (a hardware GPU adapter, unless tfjs-node-gpu found a CUDA GPU).
 */
export function electronGpuWorkers(files: GpuWindowFiles): GpuWorkers {
  const probe = once(() =>
    probeAdapters(() => GpuWindow.open(files)).catch((error: unknown) =>
      unprobedReport(`could not probe the GPU in a hidden window: ${errorMessage(error)}`),
    ),
  );
  return {
    fork: () => pageWorkerHandle(() => GpuWindow.open(files)),
    probe,
    autoBackend: () => autoBrowserBackend(probe).catch(() => null),
  };
}

/** The app's forker: webgpu/webgl (and auto on a hardware GPU) in `gpu`'s hidden windows, the rest in utility processes. */
export function withGpuWindows(base: WorkerForker, gpu: GpuWorkers): WorkerForker {
  return withGpuWorkers(base, gpu);
}
