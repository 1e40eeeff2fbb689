import { MediaQuery } from 'svelte/reactivity';
import { preferences } from './preferences.svelte.js';

export type ResolvedTheme = 'light' | 'dark';

/** The theme in effect: the user's choice, or the system's (prefers-color-scheme) when they chose "system". */
class Theme {
  #systemDark = new MediaQuery('(prefers-color-scheme: dark)', false);

  get resolved(): ResolvedTheme {
    if (preferences.theme === 'system') return this.#systemDark.current ? 'dark' : 'light';
    return preferences.theme;
  }

  /** Cycles system → light → dark → system. */
  cycle(): void {
    preferences.theme = preferences.theme === 'system' ? 'light' : preferences.theme === 'light' ? 'dark' : 'system';
  }
}

export const theme = new Theme();
