/** Where the user is. Kept in the URL hash so back/forward and reloads work in Electron and in a browser. */
export type Route = { view: 'suites' } | { view: 'suite'; suiteId: number };

export function parseRoute(hash: string): Route {
  const match = /^#\/suites\/(\d+)\/?$/.exec(hash);
  if (match) {
    const suiteId = Number(match[1]);
    if (Number.isSafeInteger(suiteId) && suiteId > 0) return { view: 'suite', suiteId };
  }
  return { view: 'suites' };
}

export function routeHref(route: Route): string {
  return route.view === 'suite' ? `#/suites/${route.suiteId}` : '#/';
}
