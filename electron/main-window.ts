import { app, BrowserWindow, nativeTheme } from 'electron';
import { APP_ENTRY_URL } from './app-protocol.js';

export const WINDOW_TITLE = 'Transfer Bench';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    title: WINDOW_TITLE,
    width: 1400,
    height: 900,
    minWidth: 880,
    minHeight: 600,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171c' : '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // DevTools give full control over the page and its bridge: only from a checkout, never in a packaged app.
      devTools: !app.isPackaged,
    },
  });
  // The page may add context ("Transfer Bench — suite 3") but the window always names the app.
  window.on('page-title-updated', (event, title) => {
    if (!title.startsWith(WINDOW_TITLE)) event.preventDefault();
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
