/** Support-ticket text tables for the tests: made up from topic words, the same on every run. */

/** Deterministic pseudo-random choices (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = ['please', 'help', 'my', 'the', 'since', 'yesterday', 'again', 'urgent', 'thanks', 'account', 'order'];

export const TICKET_TOPICS = {
  billing: ['invoice', 'charged', 'twice', 'refund', 'payment', 'card'],
  login: ['password', 'reset', 'locked', 'login', 'email', 'code'],
  shipping: ['parcel', 'late', 'courier', 'tracking', 'delivery', 'address'],
};

export const OLDER_TICKET_TOPICS = {
  payments: ['invoice', 'payment', 'card', 'charged', 'bank', 'receipt'],
  access: ['password', 'login', 'locked', 'code', 'email', 'two-factor'],
  logistics: ['courier', 'parcel', 'tracking', 'address', 'warehouse', 'late'],
  other: ['feedback', 'question', 'idea', 'website', 'app', 'feature'],
};

/**
 * A CSV text table (id, text, category): `perClass` rows of each topic, each 6–14 words mixing the topic's words with
 * common ones, then ", ticket N".
 */
export function ticketTable(topics: Record<string, string[]>, perClass: number, seed: number): string {
  const random = rng(seed);
  const pick = (words: string[]) => words[Math.floor(random() * words.length)]!;
  const rows = ['id,text,category'];
  let id = 0;
  for (const [label, words] of Object.entries(topics)) {
    for (let i = 0; i < perClass; i++) {
      const n = 6 + Math.floor(random() * 9);
      const text = Array.from({ length: n }, () => (random() < 0.5 ? pick(words) : pick(COMMON))).join(' ');
      rows.push(`${id++},"${text}, ticket ${id}",${label}`);
    }
  }
  return rows.join('\n') + '\n';
}
