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
};

export function chartPalette(theme: PaletteTheme): ChartPalette {
  return theme === 'dark' ? DARK : LIGHT;
}
