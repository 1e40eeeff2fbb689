/** The module's text with its TensorFlow.js imports as require() calls (scripts/require-tfjs.js). */
export function requireTfjs(text: string, file?: string): string;
/** Whether the text was rewritten by requireTfjs already. */
export function requiresTfjs(text: string): boolean;
/** Every .js file under the folder, however deep. */
export function jsFiles(dir: string): string[];
