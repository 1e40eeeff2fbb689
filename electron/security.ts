import { app, session, shell, type WebContents } from 'electron';
import { isAppUrl } from './app-protocol.js';

/**
 * The only pages a link in the app may open in the user's browser (https, exact host, path under the prefix):
 * documentation the app refers to. Anything else a page asks to open is dropped. Add an entry here with the link.
 */
export const EXTERNAL_LINK_ALLOW_LIST: readonly { host: string; pathPrefix: string }[] = [
  { host: 'www.tensorflow.org', pathPrefix: '/js/' },
  { host: 'js.tensorflow.org', pathPrefix: '/api/' },
  { host: 'github.com', pathPrefix: '/tensorflow/tfjs/' },
  { host: 'github.com', pathPrefix: '/zalandoresearch/fashion-mnist' },
  { host: 'www.electronjs.org', pathPrefix: '/docs/' },
];

/** True for an https URL on the allow-list, with no user name, password or port. */
export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') {
    return false;
  }
  return EXTERNAL_LINK_ALLOW_LIST.some(
    (entry) => parsed.hostname === entry.host && parsed.pathname.startsWith(entry.pathPrefix),
  );
}

/** Links to documentation on the allow-list open in the user's browser; nothing opens inside the app. */
function openExternally(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  else console.warn(`transfer-bench: not opening ${url}: not on the app's list of external links`);
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
