/**
 * Word vectors by name: where to download them (gzipped `.vec`) and their dimension. models/text-vectors.ts downloads
 * and reads them; the CLI lists the names in `--help`.
 */
export const VECTOR_CATALOGUE: Readonly<Record<string, { url: string; dim: number }>> = {
  'fasttext-cc-en-300': { url: 'https://dl.fbaipublicfiles.com/fasttext/vectors-crawl/cc.en.300.vec.gz', dim: 300 },
  'fasttext-cc-de-300': { url: 'https://dl.fbaipublicfiles.com/fasttext/vectors-crawl/cc.de.300.vec.gz', dim: 300 },
  'fasttext-cc-fr-300': { url: 'https://dl.fbaipublicfiles.com/fasttext/vectors-crawl/cc.fr.300.vec.gz', dim: 300 },
};
