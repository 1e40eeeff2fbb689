#!/usr/bin/env node
/**
 * Part of `npm run build:engine`, after `tsc`: the engine's emitted modules (dist/benchmarks, dist/electron) load
 * TensorFlow.js's packages with require() instead of an ES import.
 *
 * Those packages are CommonJS bundles of 0.4-1.5 MB. An ES import of a CommonJS module makes Node scan its whole
 * source for the names it exports (cjs-module-lexer) before anything runs; require() compiles it lazily. Measured on
 * this project's machine (Node 20): tfjs-core, -layers and -backend-wasm cost about 0.58 CPU s imported and 0.22 s
 * required, in every process that trains (the CLI, each trial worker, `serve`). The bundles for the browser
 * (dist/gpu, dist/renderer) are made by esbuild and Vite from the sources and are not touched.
 *
 * Each import line becomes exactly one line, so the source maps stay right:
 *   import * as tf from '@tensorflow/tfjs-core';    ->  const tf = __tfRequire('@tensorflow/tfjs-core');
 *   import { a, b as c } from '@tensorflow/tfjs-x';  ->  const { a, b: c } = __tfRequire('@tensorflow/tfjs-x');
 *   import '@tensorflow/tfjs-backend-cpu';           ->  __tfRequire('@tensorflow/tfjs-backend-cpu');
 * and the first line gets the require (prepended on the same line). The engine has no import cycle (lint), so no
 * module runs another's code before that module's own imports have run.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = String.raw`(['"])(@tensorflow\/[a-z0-9-]+)`;
const STAR = new RegExp(String.raw`^import \* as ([A-Za-z_$][\w$]*) from ${PACKAGE}\2;`, 'gm');
const NAMED = new RegExp(String.raw`^import \{([^}]*)\} from ${PACKAGE}\2;`, 'gm');
const BARE = new RegExp(String.raw`^import ${PACKAGE}\1;`, 'gm');
const OTHER = /^import (?!type\b)[^;]*?['"]@tensorflow\//m;
const PRELUDE =
  "import { createRequire as __tfCreateRequire } from 'node:module'; const __tfRequire = __tfCreateRequire(import.meta.url); ";

/** `a, type B, c as d` (over several lines or one) as `{ a, c: d }`, followed by as many line ends as it had. */
function destructured(names) {
  const values = names
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('type '))
    .map((part) => part.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2'));
  return {
    pattern: values.length > 0 ? `{ ${values.join(', ')} }` : null,
    lineEnds: '\n'.repeat(names.split('\n').length - 1),
  };
}

/**
 * The module's text (tsc's output, or TypeScript source for the tests) with its imports of TensorFlow.js's packages
 * as require() calls, each in as many lines as the import had; the same text when it has none. Type-only imports are
 * left for the compiler to drop.
 */
export function requireTfjs(text, file = 'module') {
  let changed = false;
  const rewritten = text
    .replace(STAR, (_, name, _quote, pkg) => {
      changed = true;
      return `const ${name} = __tfRequire('${pkg}');`;
    })
    .replace(NAMED, (_, names, _quote, pkg) => {
      changed = true;
      const { pattern, lineEnds } = destructured(names);
      return `${pattern ? `const ${pattern} = ` : ''}__tfRequire('${pkg}');${lineEnds}`;
    })
    .replace(BARE, (_, _quote, pkg) => {
      changed = true;
      return `__tfRequire('${pkg}');`;
    });
  const other = OTHER.exec(rewritten);
  if (other) throw new Error(`${file}: an import of TensorFlow.js this build step does not know: ${other[0]}`);
  if (!changed) return text;
  // on the first line (after a #! line), so that every other line keeps its number
  const at = rewritten.startsWith('#!') ? rewritten.indexOf('\n') + 1 : 0;
  return rewritten.slice(0, at) + PRELUDE + rewritten.slice(at);
}

/** Whether `text` was rewritten by requireTfjs already. */
export function requiresTfjs(text) {
  return text.includes(PRELUDE);
}

/** Every .js file under `dir`, however deep (the emitted modules of dist/benchmarks or dist/electron). */
export function jsFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist');
  let count = 0; // modules rewritten now or by an earlier run of this step
  for (const dir of ['benchmarks', 'electron'].map((name) => join(root, name))) {
    for (const file of jsFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      if (requiresTfjs(text)) {
        count++;
        continue;
      }
      const rewritten = requireTfjs(text, file);
      if (rewritten !== text) {
        writeFileSync(file, rewritten);
        count++;
      }
    }
  }
  if (count === 0) throw new Error('require-tfjs: no module of dist/ imports TensorFlow.js: was `tsc` run first?');
}
