import { escapeHtml } from './escape.js';

/** A number for an SVG attribute: two decimals, no trailing zeros. */
export function px(value: number): string {
  return Number(value.toFixed(2)).toString();
}

/** `M x y L x y …` through the points. */
export function polylinePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)} ${px(y)}`).join(' ');
}

/** A closed band between an upper and a lower line given at the same x positions. */
export function bandPath(
  upper: readonly (readonly [number, number])[],
  lower: readonly (readonly [number, number])[],
): string {
  return `${polylinePath([...upper, ...[...lower].reverse()])} Z`;
}

export type Attributes = Record<string, string | number>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeHtml(typeof v === 'number' ? px(v) : v)}"`)
    .join('');
}

/** An element with escaped attribute values; `children` is markup, already escaped. */
export function element(name: string, attrs: Attributes, children = ''): string {
  return children === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${children}</${name}>`;
}

/** A text element; the text is escaped. */
export function text(x: number, y: number, content: string, attrs: Attributes = {}): string {
  return element('text', { x, y, ...attrs }, escapeHtml(content));
}

/** Series colours, chosen to stay apart for the colour-blind (Okabe–Ito). */
export const SERIES_COLOURS: Record<string, string> = {
  scratch: '#000000',
  finetune: '#0072B2',
  'linear-probe': '#E69F00',
  partial: '#009E73',
};
