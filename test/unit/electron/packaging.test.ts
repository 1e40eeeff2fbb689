import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * The packaging config (electron-builder.yml) flips Electron's fuses as Electron's security checklist recommends,
 * and leaves none to the binary's defaults. The fuse list comes from @electron/fuses (electron-builder's own
 * dependency, which applies them), so a fuse it learns about fails this test until it is decided here.
 */

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { FuseV1Options } = require(
  require.resolve('@electron/fuses', { paths: [require.resolve('app-builder-lib')] }),
) as { FuseV1Options: Record<string, number | string> };

const RECOMMENDED: Record<string, boolean> = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml', () => {
  const config = yaml.load(readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8')) as {
    electronFuses?: Record<string, boolean>;
  };

  it('sets every fuse @electron/fuses knows, to the recommended value', () => {
    const known = Object.keys(FuseV1Options)
      .filter((key) => Number.isNaN(Number(key)))
      .map((key) => key[0]!.toLowerCase() + key.slice(1))
      .sort();
    expect(known).toEqual(Object.keys(RECOMMENDED).sort());
    expect(config.electronFuses).toEqual(RECOMMENDED);
  });
});
