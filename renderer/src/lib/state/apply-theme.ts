import { APPROACHES } from '$engine/domain.js';
import { chartPalette } from '$engine/charts/palette.js';
import type { ResolvedTheme } from './theme.svelte.js';

/** The part of `document.documentElement` a theme writes to. */
export interface ThemeRoot {
  dataset: DOMStringMap;
  style: Pick<CSSStyleDeclaration, 'setProperty'>;
}

/**
 * Puts a theme on the page: `data-theme` selects the CSS custom properties of app.css, and the approach colours come
 * from the charts' palette (one definition for the charts, the report and the page's swatches), as `--approach-<name>`.
 */
export function applyTheme(root: ThemeRoot, resolved: ResolvedTheme): void {
  root.dataset.theme = resolved;
  const { approach } = chartPalette(resolved);
  for (const name of APPROACHES) root.style.setProperty(`--approach-${name}`, approach[name]);
}
