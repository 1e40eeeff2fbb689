/** The module's text with its stdlib imports as lookups in the bundle at `bundlePath` (scripts/bundle-stdlib.js). */
export function requireStdlib(text: string, bundlePath: string, file?: string): string;
/** The CommonJS source of the bundle's entry: every package, by its name. */
export function bundleEntry(packages: string[]): string;
