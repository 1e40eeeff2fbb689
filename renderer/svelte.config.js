/** Shared by the Vite plugin and svelte-check. TypeScript in `<script lang="ts">` is type-only, so no preprocessor is needed. */
export default {
  compilerOptions: { runes: true },
};
