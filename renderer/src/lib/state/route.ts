/** Where the user is. Kept in the URL hash so back/forward and reloads work in Electron and in a browser. */
export type Route = { view: 'suites' } | { view: 'suite'; suiteId: number } | { view: 'new-suite' };

export function parseRoute(hash: string): Route {
  if (/^#\/new\/?$/.test(hash)) return { view: 'new-suite' };
  const match = /^#\/suites\/(\d+)\/?$/.exec(hash);
  if (match) {
    const suiteId = Number(match[1]);
    if (Number.isSafeInteger(suiteId) && suiteId > 0) return { view: 'suite', suiteId };
  }
  return { view: 'suites' };
}

export function routeHref(route: Route): string {
  if (route.view === 'new-suite') return '#/new';
  return route.view === 'suite' ? `#/suites/${route.suiteId}` : '#/';
}
