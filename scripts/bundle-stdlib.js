#!/usr/bin/env node
/**
 * Part of `npm run build:engine`, after `tsc` and require-tfjs: stdlib's distributions (the `@stdlib/*` dependencies
 * in package.json: Student's t and the normal, for the paired tests and intervals) go into one CommonJS file,
 * dist/vendor/stdlib.cjs, and the engine's emitted modules require them from it.
 *
 * Each of those packages is a tree of small CommonJS modules: the four load 581 files, about 0.16 CPU s in every
 * process that reads results (every CLI command but `--help`, `serve`, the app's main process). From one file made by
 * esbuild, the same code, about 0.025 s (measured on this project's machine, Node 20). The renderer's bundle (Vite) and
 * the tests, which import the TypeScript sources, load the packages themselves.
 *
 * Each import line becomes exactly one line, so the source maps stay right:
 *   import tCdf from '@stdlib/stats-base-dists-t-cdf';  ->  const tCdf = __stdlib('@stdlib/stats-base-dists-t-cdf');
 * and the first line gets the require (prepended on the same line).
 */
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsFiles } from './require-tfjs.js';

const DEFAULT = /^import ([A-Za-z_$][\w$]*) from (['"])(@stdlib\/[a-z0-9-]+)\2;/gm;
const OTHER = /^import (?!type\b)[^;]*?['"]@stdlib\//m;
const MARK = '__stdlibCreateRequire';

/** The line that loads the bundle, for a module whose path relative to the bundle's folder is `bundlePath`. */
function prelude(bundlePath) {
  return (
    `import { createRequire as ${MARK} } from 'node:module'; ` +
    `const __stdlib = (name) => ${MARK}(import.meta.url)('${bundlePath}')[name]; `
  );
}

/**
 * The module's text with its default imports of stdlib packages as lookups in the bundle at `bundlePath` (relative to
 * the module, starting with ./ or ../); the same text when it has none. Another form of import stops the build.
 */
export function requireStdlib(text, bundlePath, file = 'module') {
  let changed = false;
  const rewritten = text.replace(DEFAULT, (_, name, _quote, pkg) => {
    changed = true;
    return `const ${name} = __stdlib('${pkg}');`;
  });
  const other = OTHER.exec(rewritten);
  if (other) throw new Error(`${file}: an import of stdlib this build step does not know: ${other[0]}`);
  if (!changed) return text;
  const at = rewritten.startsWith('#!') ? rewritten.indexOf('\n') + 1 : 0;
  return rewritten.slice(0, at) + prelude(bundlePath) + rewritten.slice(at);
}

/** The source of the bundle's entry: every package, by its name. */
export function bundleEntry(packages) {
  return `module.exports = {\n${packages.map((name) => `  '${name}': require('${name}'),`).join('\n')}\n};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const packages = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@stdlib/'));
  const bundle = join(root, 'dist', 'vendor', 'stdlib.cjs');
  await build({
    stdin: { contents: bundleEntry(packages), resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    logLevel: 'warning',
  });
  let count = 0; // modules rewritten now or by an earlier run of this step
  for (const dir of ['benchmarks', 'electron'].map((name) => join(root, 'dist', name))) {
    for (const file of jsFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      if (text.includes(MARK)) {
        count++;
        continue;
      }
      const path = relative(dirname(file), bundle).split(sep).join('/');
      const rewritten = requireStdlib(text, path.startsWith('.') ? path : `./${path}`, file);
      if (rewritten !== text) {
        writeFileSync(file, rewritten);
        count++;
      }
    }
  }
  if (count === 0) throw new Error('bundle-stdlib: no module of dist/ imports stdlib: was `tsc` run first?');
}
