import { MAX_COMPARED, MIN_COMPARED } from '$engine/domain.js';

/** Where the user is. Kept in the URL hash so back/forward and reloads work in Electron and in a browser. */
export type Route =
  | { view: 'suites' }
  | { view: 'suite'; suiteId: number }
  | { view: 'new-suite' }
  | { view: 'compare'; suiteIds: number[] };

const isId = (n: number): boolean => Number.isSafeInteger(n) && n > 0;

export function parseRoute(hash: string): Route {
  if (/^#\/new\/?$/.test(hash)) return { view: 'new-suite' };
  const match = /^#\/suites\/(\d+)\/?$/.exec(hash);
  if (match) {
    const suiteId = Number(match[1]);
    if (isId(suiteId)) return { view: 'suite', suiteId };
  }
  const compare = /^#\/compare\/(\d+(?:,\d+)+)\/?$/.exec(hash);
  if (compare) {
    const suiteIds = compare[1]!.split(',').map(Number);
    const distinct = new Set(suiteIds).size === suiteIds.length;
    if (suiteIds.every(isId) && distinct && suiteIds.length >= MIN_COMPARED && suiteIds.length <= MAX_COMPARED) {
      return { view: 'compare', suiteIds };
    }
  }
  return { view: 'suites' };
}

export function routeHref(route: Route): string {
  if (route.view === 'new-suite') return '#/new';
  if (route.view === 'suite') return `#/suites/${route.suiteId}`;
  if (route.view === 'compare') return `#/compare/${route.suiteIds.join(',')}`;
  return '#/';
}
