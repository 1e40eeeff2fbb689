import { escapeHtml, escapeMarkdown } from '../charts/escape.js';

/** A report as plain blocks of text, rendered to HTML or Markdown. All text is plain and escaped on rendering. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'definitions'; items: [term: string, value: string][] }
  | { kind: 'table'; headers: string[]; rows: string[][]; numeric?: boolean[] }
  /** Trusted SVG markup produced by the chart functions (which escape their text), with a plain caption. */
  | { kind: 'svg'; markup: string; caption: string };

export interface ReportDocument {
  title: string;
  blocks: Block[];
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}dt{font-weight:bold;float:left;clear:left;width:12em}
dd{margin-left:13em}figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#555}svg{max-width:100%;height:auto}`;

function htmlBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${escapeHtml(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'list':
      return `<ul>\n${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
    case 'definitions':
      return `<dl>\n${block.items.map(([t, v]) => `<dt>${escapeHtml(t)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}\n</dl>`;
    case 'table': {
      const head = `<tr>${block.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
      const rows = block.rows.map(
        (r) =>
          `<tr>${r.map((c, i) => `<td${block.numeric?.[i] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
      );
      return `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
    }
    case 'svg':
      return `<figure>\n${block.markup}\n<figcaption>${escapeHtml(block.caption)}</figcaption>\n</figure>`;
  }
}

/** A complete, self-contained HTML page (inline style and SVG, no external resources). */
export function renderHtml(doc: ReportDocument): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    ...doc.blocks.map(htmlBlock),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function markdownBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${escapeMarkdown(block.text)}`;
    case 'paragraph':
      return escapeMarkdown(block.text);
    case 'list':
      return block.items.map((i) => `- ${escapeMarkdown(i)}`).join('\n');
    case 'definitions':
      return block.items.map(([t, v]) => `- **${escapeMarkdown(t)}**: ${escapeMarkdown(v)}`).join('\n');
    case 'table': {
      const line = (cells: string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
      const rule = `| ${block.headers.map((_, i) => (block.numeric?.[i] ? '---:' : '---')).join(' | ')} |`;
      return [line(block.headers), rule, ...block.rows.map(line)].join('\n');
    }
    case 'svg':
      // An HTML block in Markdown ends at a blank line: the chart markup has none.
      return `${block.markup.replace(/\n\s*\n/g, '\n')}\n\n*${escapeMarkdown(block.caption)}*`;
  }
}

/** Markdown (CommonMark with GitHub tables); charts are inline SVG HTML blocks. */
export function renderMarkdown(doc: ReportDocument): string {
  return `${[`# ${escapeMarkdown(doc.title)}`, ...doc.blocks.map(markdownBlock)].join('\n\n')}\n`;
}
