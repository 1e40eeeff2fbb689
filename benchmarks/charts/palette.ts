import type { Approach } from '../domain.js';

export type PaletteTheme = 'light' | 'dark';

/** Colours the charts use; they mirror the CSS custom properties of the theme. */
export interface ChartPalette {
  background: string;
  text: string;
  muted: string;
  axisLine: string;
  splitLine: string;
  tooltipBackground: string;
  tooltipBorder: string;
  approach: Record<Approach, string>;
  /** Opacity of the band fill. */
  bandOpacity: number;
  /**
   * The sources of a suite with several, in its order: an approach from the first keeps the approach's colour, from
   * the next ones a shade of it towards the text colour and another marker (see armColour, armSymbol). Empty otherwise.
   */
  sources: readonly string[];
}

const LIGHT: ChartPalette = {
  background: '#ffffff',
  text: '#1d2330',
  muted: '#5d6778',
  axisLine: '#b8c0cc',
  splitLine: '#eceff3',
  tooltipBackground: '#ffffff',
  tooltipBorder: '#d5dae1',
  approach: { scratch: '#e8710a', finetune: '#1a73e8', 'linear-probe': '#0f9d8a', partial: '#9334e6' },
  bandOpacity: 0.1,
  sources: [],
};

const DARK: ChartPalette = {
  background: '#161a21',
  text: '#e6e9ef',
  muted: '#98a2b3',
  axisLine: '#465062',
  splitLine: '#252b35',
  tooltipBackground: '#1e232c',
  tooltipBorder: '#3a4250',
  approach: { scratch: '#ff9e3d', finetune: '#5ea1ff', 'linear-probe': '#2fd1b7', partial: '#b98bff' },
  bandOpacity: 0.14,
  sources: [],
};

/** The theme's palette; `sources` names the sources of a suite with several (see ChartPalette.sources). */
export function chartPalette(theme: PaletteTheme, sources: readonly string[] = []): ChartPalette {
  const palette = theme === 'dark' ? DARK : LIGHT;
  return sources.length === 0 ? palette : { ...palette, sources: [...sources] };
}

/** How far each further source's shade moves from the approach's colour towards the text colour. */
const SHADE_STEP = 0.38;
const SOURCE_SYMBOLS = ['circle', 'triangle', 'diamond', 'rect', 'roundRect', 'pin', 'arrow', 'emptyCircle'];

function sourceIndex(palette: ChartPalette, source: string | undefined): number {
  return source === undefined ? 0 : Math.max(0, palette.sources.indexOf(source));
}

function mix(a: string, b: string, t: number): string {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  const out = [0, 1, 2].map((i) => Math.round(channel(a, i) * (1 - t) + channel(b, i) * t));
  return `#${out.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The colour of an approach from a source: the approach's own for scratch, the first source and single-source suites. */
export function armColour(palette: ChartPalette, arm: { approach: Approach; source?: string }): string {
  const index = sourceIndex(palette, arm.source);
  const base = palette.approach[arm.approach];
  return index === 0 ? base : mix(base, palette.text, Math.min(0.8, SHADE_STEP * index));
}

/** The marker of an approach from a source: a circle but for the second source on. */
export function armSymbol(palette: ChartPalette, arm: { approach: Approach; source?: string }): string {
  return SOURCE_SYMBOLS[sourceIndex(palette, arm.source) % SOURCE_SYMBOLS.length]!;
}
