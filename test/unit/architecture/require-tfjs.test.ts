/**
 * The build step that has the engine's emitted modules require TensorFlow.js instead of importing it
 * (scripts/require-tfjs.js): every form tsc emits becomes one line, other lines are left as they are, and a form it
 * does not know stops the build.
 */
import { describe, expect, it } from 'vitest';
import { requireTfjs } from '../../../scripts/require-tfjs.js';

describe('requireTfjs', () => {
  it('turns each import of a TensorFlow.js package into a require on the same line', () => {
    const emitted = [
      "import { dirname } from 'node:path';",
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { setWasmPaths, BackendWasm as Wasm } from '@tensorflow/tfjs-backend-wasm';",
      "import '@tensorflow/tfjs-backend-cpu';",
      "import { registerWasmAdam } from './wasm-adam.js';",
      'export const x = tf.scalar(1);',
      '//# sourceMappingURL=wasm.js.map',
    ].join('\n');
    const lines = requireTfjs(emitted).split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(
      /^import \{ createRequire as __tfCreateRequire \} from 'node:module'; .*; import \{ dirname \} from 'node:path';$/,
    );
    expect(lines.slice(1, 4)).toEqual([
      "const tf = __tfRequire('@tensorflow/tfjs-core');",
      "const { setWasmPaths, BackendWasm: Wasm } = __tfRequire('@tensorflow/tfjs-backend-wasm');",
      "__tfRequire('@tensorflow/tfjs-backend-cpu');",
    ]);
    expect(lines.slice(4)).toEqual(emitted.split('\n').slice(4));
  });

  it('reads the TypeScript source forms too: several lines, type-only names and imports, double quotes, a #! line', () => {
    const source = [
      '#!/usr/bin/env node',
      "import type { Tensor } from '@tensorflow/tfjs-core';",
      'import {',
      '  tidy,',
      '  type Rank,',
      '  scalar as s,',
      "} from '@tensorflow/tfjs-core';",
      'import { type LayersModel } from "@tensorflow/tfjs-layers";',
      'export const x: Tensor = tidy(() => s(1));',
    ].join('\n');
    const lines = requireTfjs(source).split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('#!/usr/bin/env node');
    expect(lines[1]).toMatch(/^import \{ createRequire as __tfCreateRequire \} .*; import type \{ Tensor \} from/);
    expect(lines.slice(2, 8)).toEqual([
      "const { tidy, scalar: s } = __tfRequire('@tensorflow/tfjs-core');",
      '',
      '',
      '',
      '',
      // an import of types only still loads the package, as `import {} from` does
      "__tfRequire('@tensorflow/tfjs-layers');",
    ]);
    expect(lines[8]).toBe('export const x: Tensor = tidy(() => s(1));');
  });

  it('leaves a module without TensorFlow.js as it is, and refuses an import form it does not know', () => {
    const plain = "import { join } from 'node:path';\nexport const a = join('x');\n";
    expect(requireTfjs(plain)).toBe(plain);
    expect(() => requireTfjs("import tf, { tidy } from '@tensorflow/tfjs-core';", 'x.js')).toThrow(
      /x\.js: an import of TensorFlow\.js this build step does not know/,
    );
  });
});
