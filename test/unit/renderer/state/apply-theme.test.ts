import { describe, expect, it } from 'vitest';
import { chartPalette } from '../../../../benchmarks/charts/palette.js';
import { APPROACHES } from '../../../../benchmarks/domain.js';
import { applyTheme } from '../../../../renderer/src/lib/state/apply-theme.js';

function fakeRoot() {
  const properties = new Map<string, string>();
  return {
    properties,
    dataset: {} as DOMStringMap,
    style: { setProperty: (name: string, value: string | null) => void properties.set(name, value ?? '') },
  };
}

describe('applyTheme', () => {
  it.each(['light', 'dark'] as const)('sets data-theme and the approach colours of the %s chart palette', (name) => {
    const root = fakeRoot();
    applyTheme(root, name);
    expect(root.dataset.theme).toBe(name);
    for (const approach of APPROACHES) {
      expect(root.properties.get(`--approach-${approach}`)).toBe(chartPalette(name).approach[approach]);
    }
  });

  it('switches every colour when the theme changes', () => {
    const root = fakeRoot();
    applyTheme(root, 'light');
    applyTheme(root, 'dark');
    expect(root.properties.get('--approach-scratch')).toBe(chartPalette('dark').approach.scratch);
    expect(chartPalette('dark').approach.scratch).not.toBe(chartPalette('light').approach.scratch);
  });
});
