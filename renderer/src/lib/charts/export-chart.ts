import type { ChartOption } from '$engine/charts/chart-option.js';
import { echarts } from '$engine/charts/echarts-setup.js';

export type ImageFormat = 'png' | 'svg';

export interface ExportSize {
  width: number;
  height: number;
}

/** A file name made from a title: lower case, words joined by hyphens. */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chart'
  );
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Decodes a base64 data: URL (fetching it would need `connect-src data:`, which the CSP does not allow). */
function dataUrlToBlob(dataUrl: string): Blob {
  const [head, base64 = ''] = dataUrl.split(',', 2);
  const type = /^data:([^;,]+)/.exec(head ?? '')?.[1] ?? 'application/octet-stream';
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

/**
 * Renders the option off screen with every point (the option is built for export: no sampling,
 * a title, an opaque background) and downloads it as PNG (2× pixel ratio) or SVG.
 */
export function exportChart(option: ChartOption, format: ImageFormat, size: ExportSize, stem: string): void {
  if (format === 'svg') {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
    try {
      chart.setOption(option);
      download(new Blob([chart.renderToSVGString()], { type: 'image/svg+xml' }), `${stem}.svg`);
    } finally {
      chart.dispose();
    }
    return;
  }
  const host = document.createElement('div');
  host.style.cssText = `position:fixed;left:-10000px;top:0;width:${size.width}px;height:${size.height}px`;
  document.body.append(host);
  const chart = echarts.init(host, null, {
    renderer: 'canvas',
    width: size.width,
    height: size.height,
    devicePixelRatio: 2,
  });
  try {
    chart.setOption(option);
    const dataUrl = chart.getDataURL({ type: 'png', pixelRatio: 2 });
    download(dataUrlToBlob(dataUrl), `${stem}.png`);
  } finally {
    chart.dispose();
    host.remove();
  }
}
