/**
 * The version of the training kernels this code registers (benchmarks/backend/: the WebAssembly text of `wat/` and
 * the kernels written in TypeScript). A source model is pretrained with them, and another kernel rounds differently, so
 * the pretraining cache key names this version (and the backend and tfjs' versions: see pretrain-cache.ts): a model
 * cached before a kernel change is not reused after it.
 *
 * `KERNEL_SOURCES_SHA256` is the fingerprint of those sources when the version was last set;
 * test/unit/backend/kernels-version.test.ts recomputes it and fails when they changed. Then: if the change can change
 * a result (anything but comments, names or types), bump `KERNELS_VERSION`; either way record the new fingerprint.
 */
export const KERNELS_VERSION = 2;

export const KERNEL_SOURCES_SHA256 = 'f74f32ab200c326c91998628c6f059566e0cb3c9ce763ddd4600aebfdbb19f8e';

/** Files of benchmarks/backend/ that are not kernels (choosing or probing a backend) or are this file. */
export const NOT_KERNEL_SOURCES: readonly string[] = ['kernels-version.ts', 'native-probe.ts', 'select-backend.ts'];
