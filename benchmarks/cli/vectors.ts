/** `transfer-bench vectors <suite.json> <name|file.vec>`: see builder/vectors-suite.ts. */
import type { Command } from 'commander';
import { VECTOR_CATALOGUE } from '../spec/vector-catalogue.js';

export function registerVectors(program: Command): void {
  program
    .command('vectors')
    .description('make a text suite start from pretrained word vectors (a .vec file, or a name to download)')
    .argument('<suite>', 'a text suite file, e.g. written by init')
    .argument('<vectors>', `a .vec or .vec.gz file, or one of: ${Object.keys(VECTOR_CATALOGUE).join(', ')}`)
    .option('--out <dir>', 'folder for the model and vocabulary (default: <suite name>-vectors beside the suite)')
    .action(async (suitePath: string, vectorsArg: string, options: { out?: string }) => {
      // TensorFlow.js only when the command runs, not for --help (cli/main.ts)
      const { suiteWithVectors } = await import('../builder/vectors-suite.js');
      for (const line of await suiteWithVectors(suitePath, vectorsArg, options)) console.log(line);
    });
}
