/** Escapes text for HTML and XML (SVG) content and attribute values: the report and the charts' tooltips. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Escapes text for Markdown: characters with Markdown meaning get a backslash, and `<`, `>` and `&` become
 * entities so that no text can open an HTML tag. Line breaks become spaces (safe inside table cells and list items).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}#|!~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}
