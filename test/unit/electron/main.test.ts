import type { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * electron/main.ts wired against a faked Electron and the real engine (better-sqlite3's Node build stands in
 * for the Electron one through TRANSFER_BENCH_SQLITE_BINDING): what happens at start-up, with and without
 * what the app needs.
 */

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    appPath: '',
    appListeners: new Map<string, Listener[]>(),
    ipcHandlers: new Map<string, Listener>(),
    ipcListeners: new Map<string, Listener>(),
    protocolHandlers: new Map<string, Listener>(),
    windows: [] as unknown[],
    errorBox: [] as [string, string][],
    exitCode: null as number | null,
    quitCalls: 0,
    packaged: false,
  };
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class FakeWebContents extends Emitter {
    mainFrame = { url: 'app://transfer-bench/index.html' };
    send = vi.fn();
    setWindowOpenHandler = vi.fn();
  }
  class FakeBrowserWindow extends Emitter {
    static getAllWindows = () => fake.windows;
    webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      super();
      fake.windows.push(this);
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    isDestroyed = () => false;
    isMinimized = () => false;
    show = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
  }
  const on = (name: string, listener: Listener) => {
    fake.appListeners.set(name, [...(fake.appListeners.get(name) ?? []), listener]);
  };
  return {
    app: {
      setName: vi.fn(),
      setPath: vi.fn(),
      commandLine: { appendSwitch: vi.fn() },
      getAppPath: () => fake.appPath,
      get isPackaged() {
        return fake.packaged;
      },
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on,
      quit: () => (fake.quitCalls += 1),
      exit: (code: number) => (fake.exitCode = code),
    },
    BrowserWindow: FakeBrowserWindow,
    dialog: {
      showErrorBox: (title: string, message: string) => fake.errorBox.push([title, message]),
      showMessageBox: vi.fn(),
      showOpenDialog: vi.fn(),
    },
    ipcMain: {
      handle: (channel: string, handler: Listener) => fake.ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
      on: (channel: string, listener: Listener) => fake.ipcListeners.set(channel, listener),
      off: (channel: string) => fake.ipcListeners.delete(channel),
    },
    nativeTheme: { shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: (scheme: string, handler: Listener) => fake.protocolHandlers.set(scheme, handler),
    },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: vi.fn() },
    utilityProcess: { fork: vi.fn() },
  };
});

interface FakeWindow extends EventEmitter {
  options: { title: string; webPreferences: Record<string, unknown> };
  loadedUrl: string | null;
  webContents: EventEmitter & { mainFrame: { url: string } };
}

const require = createRequire(import.meta.url);
const NODE_SQLITE_BUILD = join(
  dirname(require.resolve('better-sqlite3/package.json')),
  'build',
  'Release',
  'better_sqlite3.node',
);

let appDir: string;
const savedEnv = { ...process.env };

async function startMain(): Promise<void> {
  vi.resetModules();
  await import('../../../electron/main.js');
  // Let whenReady().then(...) run.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

beforeEach(() => {
  appDir = mkdtempSync(join(tmpdir(), 'tb-main-'));
  mkdirSync(join(appDir, 'dist', 'electron'), { recursive: true });
  writeFileSync(join(appDir, 'dist', 'electron', 'preload.cjs'), '');
  fake.appPath = appDir;
  fake.appListeners.clear();
  fake.ipcHandlers.clear();
  fake.ipcListeners.clear();
  fake.protocolHandlers.clear();
  fake.windows.length = 0;
  fake.errorBox.length = 0;
  fake.exitCode = null;
  fake.quitCalls = 0;
  fake.packaged = false;
  process.env.TRANSFER_BENCH_DB = join(appDir, 'data', 'app.db');
  process.env.XDG_CONFIG_HOME = join(appDir, 'config');
  delete process.env.TRANSFER_BENCH_SQLITE_BINDING;
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(async () => {
  // Close the engine the way quitting does, so the database file is released.
  const willQuit = fake.appListeners.get('will-quit') ?? [];
  for (const listener of willQuit) listener({ preventDefault: () => {} });
  if (willQuit.length > 0) await vi.waitFor(() => expect(fake.quitCalls).toBeGreaterThan(0));
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
  rmSync(appDir, { recursive: true, force: true });
});

describe('electron/main.ts', () => {
  it('without the Electron build of better-sqlite3, says how to get it and opens no window', async () => {
    await startMain();
    expect(fake.windows).toHaveLength(0);
    expect(fake.exitCode).toBe(1);
    expect(fake.errorBox).toHaveLength(1);
    const [title, message] = fake.errorBox[0]!;
    expect(title).toBe('Transfer Bench cannot open its database');
    expect(message).toContain(join(appDir, 'build', 'electron-native', 'better_sqlite3.node'));
    expect(message).toContain('npm run prepare:electron');
  });

  it('without the preload bundle, says how to build it', async () => {
    rmSync(join(appDir, 'dist', 'electron', 'preload.cjs'));
    process.env.TRANSFER_BENCH_SQLITE_BINDING = NODE_SQLITE_BUILD;
    await startMain();
    expect(fake.windows).toHaveLength(0);
    expect(fake.errorBox[0]?.[1]).toContain('npm run build:preload');
  });

  it('opens the database, one secure window on app://, and answers the contract over IPC', async () => {
    process.env.TRANSFER_BENCH_SQLITE_BINDING = NODE_SQLITE_BUILD;
    await startMain();
    expect(fake.errorBox).toEqual([]);
    expect(existsSync(join(appDir, 'data', 'app.db'))).toBe(true);
    expect(fake.protocolHandlers.has('app')).toBe(true);

    expect(fake.windows).toHaveLength(1);
    const window = fake.windows[0] as FakeWindow;
    expect(window.options.title).toBe('Transfer Bench');
    expect(window.options.webPreferences).toMatchObject({
      preload: join(appDir, 'dist', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window.loadedUrl).toBe('app://transfer-bench/index.html');

    const { IPC_REQUEST_CHANNEL } = await import('../../../benchmarks/contract.js');
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const reply = (await fake.ipcHandlers.get(IPC_REQUEST_CHANNEL)!(event, 'listBuiltinSuites', {})) as {
      ok: boolean;
      value: { name: string }[];
    };
    expect(reply.ok).toBe(true);
    expect(reply.value.map((s) => s.name)).toContain('quick');
    expect(await fake.ipcHandlers.get(IPC_REQUEST_CHANNEL)!(event, 'listSuites', {})).toEqual({ ok: true, value: [] });
  });

  it('packaged: ignores TRANSFER_BENCH_SQLITE_BINDING and loads only its own build from the resources folder', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    fake.packaged = true;
    const resources = join(appDir, 'resources');
    Object.defineProperty(process, 'resourcesPath', { value: resources, configurable: true });
    try {
      process.env.TRANSFER_BENCH_SQLITE_BINDING = NODE_SQLITE_BUILD;
      await startMain();
      expect(fake.windows).toHaveLength(0);
      expect(fake.errorBox[0]?.[1]).toContain(join(resources, 'electron-native', 'better_sqlite3.node'));
      expect(fake.errorBox[0]?.[1]).toContain('Reinstall Transfer Bench.');
      expect(console.warn).toHaveBeenCalledWith(
        'transfer-bench: TRANSFER_BENCH_SQLITE_BINDING is ignored in the packaged app',
      );
    } finally {
      delete (process as { resourcesPath?: string }).resourcesPath;
    }
  });

  it('disables DevTools in the packaged app only', async () => {
    process.env.TRANSFER_BENCH_SQLITE_BINDING = NODE_SQLITE_BUILD;
    await startMain();
    expect((fake.windows[0] as FakeWindow).options.webPreferences.devTools).toBe(true);
    for (const listener of fake.appListeners.get('will-quit') ?? []) listener({ preventDefault: () => {} });
    await vi.waitFor(() => expect(fake.quitCalls).toBe(1));
    fake.appListeners.clear();
    fake.windows.length = 0;

    fake.packaged = true;
    const resources = join(appDir, 'resources');
    mkdirSync(join(resources, 'electron-native'), { recursive: true });
    copyFileSync(NODE_SQLITE_BUILD, join(resources, 'electron-native', 'better_sqlite3.node'));
    Object.defineProperty(process, 'resourcesPath', { value: resources, configurable: true });
    try {
      await startMain();
      expect(fake.errorBox).toEqual([]);
      expect((fake.windows[0] as FakeWindow).options.webPreferences.devTools).toBe(false);
    } finally {
      delete (process as { resourcesPath?: string }).resourcesPath;
    }
  });

  it('closes the engine before quitting', async () => {
    process.env.TRANSFER_BENCH_SQLITE_BINDING = NODE_SQLITE_BUILD;
    await startMain();
    const preventDefault = vi.fn();
    for (const listener of fake.appListeners.get('will-quit') ?? []) listener({ preventDefault });
    expect(preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(fake.quitCalls).toBe(1));
    // The second will-quit (from app.quit()) goes through.
    const second = vi.fn();
    for (const listener of fake.appListeners.get('will-quit') ?? []) listener({ preventDefault: second });
    expect(second).not.toHaveBeenCalled();
  });
});
