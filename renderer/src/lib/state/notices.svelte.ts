export interface Notice {
  id: number;
  kind: 'error' | 'info';
  title: string;
  detail: string | null;
}

/** How long an info notice stays; errors stay until dismissed. */
export const INFO_NOTICE_MS = 6000;

/** Messages for the user at the edge of the window: errors stay until dismissed, info notices go by themselves. */
export class Notices {
  items = $state.raw<Notice[]>([]);
  #nextId = 0;

  notify(kind: Notice['kind'], title: string, detail: string | null = null): void {
    const notice: Notice = { id: ++this.#nextId, kind, title, detail };
    this.items = [...this.items, notice];
    if (kind === 'info') setTimeout(() => this.dismiss(notice.id), INFO_NOTICE_MS);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
