import { app, dialog, type BrowserWindow } from 'electron';
import type { EngineService } from '../benchmarks/service/engine-service.js';

/**
 * Closing the window or quitting while a suite trains asks first (finished trials are kept and the suite
 * can be resumed); quitting then cancels running suites, stops the workers and closes the database.
 */
export function setupQuitGuard(
  service: EngineService,
  getWindow: () => BrowserWindow | null,
): { watch(window: BrowserWindow): void } {
  const running = new Set<number>();
  service.subscribe((event) => {
    if (event.type === 'suite-started') running.add(event.suiteId);
    if (event.type === 'suite-finished') running.delete(event.suiteId);
  });

  let stopConfirmed = false;
  let asking = false;

  /** Resolves true when nothing runs or the user agrees to stop it. */
  async function confirmStop(): Promise<boolean> {
    if (stopConfirmed || running.size === 0) return true;
    if (asking) return false;
    asking = true;
    const window = getWindow();
    const count = running.size;
    const options = {
      type: 'warning' as const,
      title: 'A suite is running',
      message: count === 1 ? 'A suite is still running.' : `${count} suites are still running.`,
      detail:
        'Closing Transfer Bench stops the trials in flight. Finished trials are saved: resume the suite later from the suites list.',
      buttons: ['Stop and close', 'Keep running'],
      defaultId: 1,
      cancelId: 1,
    };
    try {
      const { response } =
        window && !window.isDestroyed()
          ? await dialog.showMessageBox(window, options)
          : await dialog.showMessageBox(options);
      stopConfirmed = response === 0;
      return stopConfirmed;
    } finally {
      asking = false;
    }
  }

  app.on('before-quit', (event) => {
    if (stopConfirmed || running.size === 0) return;
    event.preventDefault();
    void confirmStop().then((stop) => {
      if (stop) app.quit();
    });
  });

  let shutDown = false;
  app.on('will-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    shutDown = true;
    void service
      .close()
      .catch((error: unknown) => console.error('transfer-bench: closing the engine failed:', error))
      .finally(() => app.quit());
  });

  return {
    watch(window) {
      window.on('close', (event) => {
        if (stopConfirmed || running.size === 0) return;
        event.preventDefault();
        void confirmStop().then((stop) => {
          if (stop) window.close();
        });
      });
    },
  };
}
