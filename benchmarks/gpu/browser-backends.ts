import type { BackendChoice, BackendName } from '../domain.js';

/** The backends that run in a browser engine's page (Chromium, Electron) rather than in a Node process. */
export const BROWSER_BACKENDS = ['webgpu', 'webgl'] as const satisfies readonly BackendName[];
export type BrowserBackendName = (typeof BROWSER_BACKENDS)[number];

export function isBrowserBackend(name: BackendChoice | string): name is BrowserBackendName {
  return (BROWSER_BACKENDS as readonly string[]).includes(name);
}
