/**
 * The build step that puts stdlib's distributions into one file and has the engine's emitted modules require them
 * from it (scripts/bundle-stdlib.js): every import form tsc emits becomes one line, another form stops the build, and
 * the built bundle computes what the packages compute.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleEntry, requireStdlib } from '../../../scripts/bundle-stdlib.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);

describe('requireStdlib', () => {
  it('turns each default import of a stdlib package into a lookup in the bundle on the same line', () => {
    const emitted = [
      "import tCdf from '@stdlib/stats-base-dists-t-cdf';",
      "import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';",
      "import { join } from 'node:path';",
      'export const x = tCdf(1, 2) + normalQuantile(0.5, 0, 1);',
      '//# sourceMappingURL=student-t.js.map',
    ].join('\n');
    const lines = requireStdlib(emitted, '../../vendor/stdlib.cjs').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(
      /^import \{ createRequire as __stdlibCreateRequire \} from 'node:module'; .*\('\.\.\/\.\.\/vendor\/stdlib\.cjs'\)\[name\]; const tCdf = __stdlib\('@stdlib\/stats-base-dists-t-cdf'\);$/,
    );
    expect(lines[1]).toBe("const normalQuantile = __stdlib('@stdlib/stats-base-dists-normal-quantile');");
    expect(lines.slice(2)).toEqual(emitted.split('\n').slice(2));
  });

  it('leaves a module without stdlib as it is, and refuses an import form it does not know', () => {
    const plain = "import { join } from 'node:path';\nexport const a = join('x');\n";
    expect(requireStdlib(plain, './stdlib.cjs')).toBe(plain);
    expect(() => requireStdlib("import * as t from '@stdlib/stats-base-dists-t-cdf';", './s.cjs', 'x.js')).toThrow(
      /x\.js: an import of stdlib this build step does not know/,
    );
  });

  it('the built bundle gives the same values as the packages (npm run build wrote it)', () => {
    const bundlePath = join(ROOT, 'dist', 'vendor', 'stdlib.cjs');
    expect(existsSync(bundlePath), 'run `npm run build` first').toBe(true);
    const bundle = require(bundlePath) as Record<string, (...args: number[]) => number>;
    const packages = Object.keys(
      (require(join(ROOT, 'package.json')) as { dependencies: Record<string, string> }).dependencies,
    ).filter((name) => name.startsWith('@stdlib/'));
    expect(Object.keys(bundle).sort()).toEqual(packages.sort());
    expect(bundleEntry(packages)).toContain(`'${packages[0]}': require('${packages[0]}'),`);
    const args: Record<string, number[][]> = {
      '@stdlib/stats-base-dists-t-cdf': [
        [2.1, 4],
        [-0.3, 7.5],
        [12, 1.2],
      ],
      '@stdlib/stats-base-dists-t-quantile': [
        [0.975, 7.3],
        [0.05, 2],
        [0.999, 30.5],
      ],
      '@stdlib/stats-base-dists-normal-cdf': [
        [1.3, 0, 1],
        [-2.2, 0, 1],
      ],
      '@stdlib/stats-base-dists-normal-quantile': [
        [0.9, 0, 1],
        [0.001, 0, 1],
      ],
    };
    for (const name of packages) {
      const own = require(name) as (...a: number[]) => number;
      expect(args[name], `${name}: add values to compare`).toBeDefined();
      for (const a of args[name]!) expect(bundle[name]!(...a), `${name}(${a.join(', ')})`).toBe(own(...a));
    }
  });
});
