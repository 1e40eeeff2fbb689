import { describe, expect, it } from 'vitest';
import {
  describeInputFit,
  describeModelOrigin,
  describePretrainedModel,
} from '../../../benchmarks/spec/describe-pretrained.js';
import { question } from '../../../benchmarks/report/setup.js';
import type { SuiteRecord } from '../../../benchmarks/domain.js';
import type { DatasetSource, SuiteSpec } from '../../../benchmarks/spec/suite-schema.js';

/** Only the fields describeInputFit reads. */
function suite(dataset: DatasetSource, inputShape?: [number, number, number]): SuiteSpec {
  return {
    target: { dataset },
    pixelScaling: '[-1,1]',
    pretrainedModel: { path: 'imagenet/mobilenet-v2-0.35', cutLayer: 'global_average_pooling2d', inputShape },
  } as unknown as SuiteSpec;
}

describe('describeInputFit', () => {
  it('says how each kind of image dataset is fitted to the model input', () => {
    const folder = { kind: 'folder', dir: 'd', imageSize: [28, 28], channels: 1 } as unknown as DatasetSource;
    expect(describeInputFit(suite(folder, [224, 224, 3]))).toBe(
      "images fitted to the model's 224×224×3 input: resized from 28×28 to 224×224 (bilinear); grayscale repeated to the three channels of its RGB input; pixels scaled to [-1,1]",
    );
    const rgb = { kind: 'folder', dir: 'd', imageSize: [224, 224], channels: 3 } as unknown as DatasetSource;
    expect(describeInputFit(suite(rgb, [224, 224, 3]))).toBe(
      "images fitted to the model's 224×224×3 input: pixels scaled to [-1,1]",
    );
    // IDX image files are grayscale by their format; their size is in the files, not the suite
    const idx = { kind: 'idx', dir: '/usr/share/datasets/fashion-mnist' } as unknown as DatasetSource;
    expect(describeInputFit(suite(idx, [224, 224, 3]))).toBe(
      "images fitted to the model's 224×224×3 input: resized to 224×224 (bilinear); grayscale repeated to the three channels of its RGB input; pixels scaled to [-1,1]",
    );
    const mnist = { kind: 'mnist', classes: [0, 1] } as unknown as DatasetSource;
    expect(describeInputFit(suite(mnist, [32, 32, 3]))).toContain('resized from 28×28 to 32×32 (bilinear); grayscale');
    expect(describeInputFit(suite(mnist))).toBeNull();
  });
});

describe('describePretrainedModel', () => {
  it("names a catalogue model's origin and licence, its cut, input and weights", () => {
    expect(
      describePretrainedModel({
        path: 'imagenet/mobilenet-v2-0.35',
        cutLayer: 'global_average_pooling2d',
        inputShape: [224, 224, 3],
        sha256: 'ab'.repeat(32),
      }),
    ).toMatch(
      /^imagenet\/mobilenet-v2-0\.35 \(Keras Applications MobileNetV2 \(alpha 0\.35, ImageNet, no top\), as Teachable Machine hosts it; Apache-2\.0 .*\), cut at layer global_average_pooling2d, input 224×224×3; weights SHA-256 (ab){32}$/,
    );
  });
});

describe('describeModelOrigin', () => {
  it('names a catalogue model by what it was pretrained on, a file by its path', () => {
    expect(describeModelOrigin('imagenet/mobilenet-v2-0.35')).toBe(
      'ImageNet (imagenet/mobilenet-v2-0.35, Keras Applications MobileNetV2 (alpha 0.35, ImageNet, no top), as Teachable Machine hosts it)',
    );
    expect(describeModelOrigin('models/digits.h5')).toBe('the model at models/digits.h5');
    // the report's question no longer reads "pretrained on the model at imagenet/..."
    const record = {
      spec: suite({ kind: 'mnist', digits: [5, 6] } as unknown as DatasetSource),
      pretrain: null,
    } as unknown as SuiteRecord;
    expect(question(record)).toMatch(
      /^Should we fine-tune a model pretrained on ImageNet \(imagenet\/mobilenet-v2-0\.35, /,
    );
  });
});
