import type { ContractClient, EnvironmentInfo } from '$engine/contract.js';
import { messageOf } from './notices.svelte.js';

/** While the engine probes its GPU, it is asked again this often. */
export const ENVIRONMENT_POLL_MS = 1000;

/** The engine's machine (CPU, GPU, what auto picks), asked again until its GPU probe has finished. */
export class EnvironmentState {
  info = $state.raw<EnvironmentInfo | null>(null);
  error = $state<string | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  /** Asks now, then every ENVIRONMENT_POLL_MS while the engine probes. Returns a function that stops asking. */
  watch(client: Pick<ContractClient, 'getEnvironment'>): () => void {
    this.#stopped = false;
    const ask = async (): Promise<void> => {
      this.#timer = null;
      try {
        this.info = await client.getEnvironment({});
        this.error = null;
      } catch (error) {
        this.error = messageOf(error);
      }
      // an engine that cannot answer (error) is not asked again: the panel shows why
      if (!this.#stopped && this.error === null && this.info?.probing === true) {
        this.#timer = setTimeout(() => void ask(), ENVIRONMENT_POLL_MS);
      }
    };
    void ask();
    return () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }
}
