function minTime(f: () => void, reps = 30): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) { const s = performance.now(); f(); best = Math.min(best, performance.now() - s); }
  return best;
}
const B = 64, H = 13, W = 13, C = 16, K = 3, OH = 11, OW = 11, n = B * OH * OW;
const x = new Float32Array(B * H * W * C).map(() => Math.random());
const out = new Float32Array(K * K * C * n);
// A: c innermost, strided writes
function A() {
  for (let kh = 0; kh < K; kh++) for (let kw = 0; kw < K; kw++) {
    const rowBase = (kh * K + kw) * C * n; let j = 0;
    for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) {
      const rs = (b * H + oh + kh) * W;
      for (let ow = 0; ow < OW; ow++, j++) { const src = (rs + ow + kw) * C; for (let c = 0, o = rowBase + j; c < C; c++, o += n) out[o] = x[src + c]!; }
    }
  }
}
// B: row outer, sequential writes, strided reads
function Bv() {
  for (let kh = 0; kh < K; kh++) for (let kw = 0; kw < K; kw++) for (let c = 0; c < C; c++) {
    let o = ((kh * K + kw) * C + c) * n;
    for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) {
      let src = ((b * H + oh + kh) * W + kw) * C + c;
      for (let ow = 0; ow < OW; ow++, src += C) out[o++] = x[src]!;
    }
  }
}
// C: transpose x to [C, B, H, W] first (one pass), then rows are contiguous runs of OW → copyWithin-ish loops
const xt = new Float32Array(x.length);
function Cv() {
  const HW = H * W, BHW = B * HW;
  for (let p = 0; p < BHW; p++) for (let c = 0; c < C; c++) xt[c * BHW + p] = x[p * C + c]!;
  for (let kh = 0; kh < K; kh++) for (let kw = 0; kw < K; kw++) for (let c = 0; c < C; c++) {
    let o = ((kh * K + kw) * C + c) * n;
    for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) {
      const src = c * BHW + (b * H + oh + kh) * W + kw;
      out.set(xt.subarray(src, src + OW), o); o += OW;
    }
  }
}
function Dv() {
  const HW = H * W, BHW = B * HW;
  for (let p = 0; p < BHW; p++) for (let c = 0; c < C; c++) xt[c * BHW + p] = x[p * C + c]!;
  for (let kh = 0; kh < K; kh++) for (let kw = 0; kw < K; kw++) for (let c = 0; c < C; c++) {
    let o = ((kh * K + kw) * C + c) * n;
    for (let b = 0; b < B; b++) for (let oh = 0; oh < OH; oh++) {
      let src = c * BHW + (b * H + oh + kh) * W + kw;
      for (let ow = 0; ow < OW; ow++) out[o++] = xt[src++]!;
    }
  }
}
for (let r = 0; r < 3; r++) console.log('A', minTime(A).toFixed(3), 'B', minTime(Bv).toFixed(3), 'C', minTime(Cv).toFixed(3), 'D', minTime(Dv).toFixed(3));
