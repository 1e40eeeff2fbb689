import type { ClaimResult } from '../analysis/claims.js';
import type { Block } from './document.js';

/** The common claims, each with the measurement that tests it, the verdict on this suite and the numbers. */
export function claimsSection(claims: readonly ClaimResult[]): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Claims' },
    {
      kind: 'paragraph',
      text: 'What articles on this choice usually claim, checked on this suite’s results. A verdict holds only for this data, these sizes and these settings; "holds up to N examples" means it held at the smaller sizes run up to N and not at the next one.',
    },
    {
      kind: 'table',
      headers: ['Claim', 'Measurement', 'Verdict', 'Numbers'],
      rows: claims.map((c) => [
        c.source === undefined ? c.claim : `${c.claim} (pretrained on ${c.source})`,
        c.measurement,
        c.verdictLabel,
        c.evidence,
      ]),
    },
  ];
}
