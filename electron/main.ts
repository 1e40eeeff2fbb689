import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDbPath, userDataDir } from '../benchmarks/paths.js';
import { errorMessage } from '../benchmarks/errors.js';
import { createEngineService, type EngineService } from '../benchmarks/service/engine-service.js';
import { registerAppScheme, setupAppProtocol } from './app-protocol.js';
import { setupIpc, type IpcBinding } from './ipc.js';
import { createMainWindow, WINDOW_TITLE } from './main-window.js';
import { checkSqliteBinding, sqliteBindingPath } from './native-binding.js';
import { probeNativeBackends } from './native-probe-runner.js';
import { setupQuitGuard } from './quit-guard.js';
import { setupSecurity } from './security.js';
import { electronForker } from './utility-forker.js';
import { electronGpuWorkers, gpuWindowFiles, setupGpuSwitches, withGpuWindows } from './gpu-windows.js';

/**
 * The desktop shell: one window over the engine. Each feature has its own module and setup function;
 * this file only puts them in order.
 */

function fail(title: string, message: string): void {
  console.error(`transfer-bench: ${title}\n${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}

function setupSingleInstance(onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', onSecondInstance);
  return true;
}

async function openEngine(): Promise<EngineService | null> {
  const nativeBinding = sqliteBindingPath();
  const problem = checkSqliteBinding(nativeBinding);
  if (problem) {
    fail('Transfer Bench cannot open its database', problem);
    return null;
  }
  const dbPath = defaultDbPath();
  // one set of hidden GPU windows: the workers, `auto` and the environment panel share its probe
  const gpuWorkers = electronGpuWorkers(gpuWindowFiles(app.getAppPath()));
  try {
    return await createEngineService({
      dbPath,
      nativeBinding,
      forkWorker: withGpuWindows(electronForker, gpuWorkers),
      gpuWorkers,
    });
  } catch (error) {
    const message = errorMessage(error);
    // A better_sqlite3.node built for another runtime fails to load with one of these.
    const wrongBuild =
      /NODE_MODULE_VERSION|invalid ELF header|not a valid Win32 application|wrong ELF class|mach-o/i.test(message);
    const hint = wrongBuild
      ? `\n\n${nativeBinding} is not built for Electron ${process.versions.electron}: run \`npm run prepare:electron -- --force\`.`
      : '';
    fail('Transfer Bench cannot open its database', `${dbPath}\n\n${message}${hint}`);
    return null;
  }
}

function start(): void {
  app.setName(WINDOW_TITLE);
  // Electron's own data (window state, caches) goes where the CLI keeps the database.
  app.setPath('userData', userDataDir());
  registerAppScheme();
  setupGpuSwitches();

  let window: BrowserWindow | null = null;
  const focusWindow = (): void => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  };
  if (!setupSingleInstance(focusWindow)) {
    app.quit();
    return;
  }

  void app.whenReady().then(async () => {
    setupSecurity();
    setupAppProtocol(join(app.getAppPath(), 'dist', 'renderer'));
    const preload = join(app.getAppPath(), 'dist', 'electron', 'preload.cjs');
    if (!existsSync(preload)) {
      return fail(
        'Transfer Bench is not fully built',
        `${preload} is missing. Run \`npm run build:preload\` (npm start does it).`,
      );
    }
    // Before any trial worker needs it: workers then find the result cached and start no probe process themselves.
    await probeNativeBackends();
    const service = await openEngine();
    if (!service) return;
    const ipc: IpcBinding = setupIpc(service);
    const quitGuard = setupQuitGuard(service, () => window);

    const openWindow = (): void => {
      window = createMainWindow(preload);
      ipc.attach(window);
      quitGuard.watch(window);
    };
    openWindow();

    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
    app.on('window-all-closed', () => {
      if (process.platform !== 'darwin') app.quit();
    });
  });
}

start();
