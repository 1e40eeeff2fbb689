/** Where the Electron binary is, without downloading it; path is null when it is not installed. */
export function findElectronBinary(): { version: string; packageDir: string; path: string | null };
