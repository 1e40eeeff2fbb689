import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown } from '../../../benchmarks/charts/escape.js';

describe('escaping', () => {
  it('escapes HTML and attribute values', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });

  it('escapes Markdown so text cannot format, break tables or open tags', () => {
    expect(escapeMarkdown('a|b *c* _d_ [e](f) <img> #1 `g`\nh')).toBe(
      'a\\|b \\*c\\* \\_d\\_ \\[e\\](f) &lt;img&gt; \\#1 \\`g\\` h',
    );
  });
});
