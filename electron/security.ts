import { app, session, shell, type WebContents } from 'electron';
import { isAppUrl } from './app-protocol.js';

/** Links to documentation may open in the user's browser; nothing opens inside the app. */
function openExternally(url: string): void {
  if (url.startsWith('https://')) void shell.openExternal(url);
}

function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openExternally(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Secure defaults for every web contents the app creates: no new windows, no navigation away from our
 * renderer, no webviews, no permission (camera, notifications, …) granted.
 */
export function setupSecurity(): void {
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
