;; Training kernels for tfjs-backend-wasm, in 128-bit SIMD WebAssembly, on the backend's own memory.
;;
;; Assembled by `npm run build:wasm` (the wabt package) into dist/; see wat-module.ts. Every pointer is a byte offset
;; into the imported memory (a tensor's `memoryOffset`). Tensors are NHWC, so channels are the innermost axis: the
;; per-channel kernels walk `rows` rows of `cb` bytes (channels × 4), and need channels to be a multiple of 4 (the
;; callers check and take a JavaScript loop otherwise). Float32 throughout: every operation rounds as the stock
;; kernels' float32 arithmetic does, though sums are accumulated in another order.
(module
  (import "env" "memory" (memory 0))

  ;; out[i] = dy[i] where lo <= x[i] <= hi, else 0: the gradient of clipByValue (ReLU6), in one pass.
  (func (export "clip_grad")
    (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $i i32) (local $end i32) (local $vlo v128) (local $vhi v128) (local $v v128) (local $s f32)
    (local.set $vlo (f32x4.splat (local.get $lo)))
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.and
            (v128.load (i32.add (local.get $dy) (local.get $i)))
            (v128.and (f32x4.ge (local.get $v) (local.get $vlo)) (f32x4.le (local.get $v) (local.get $vhi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next4)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select
            (f32.load (i32.add (local.get $dy) (local.get $i)))
            (f32.const 0)
            (i32.and (f32.ge (local.get $s) (local.get $lo)) (f32.le (local.get $s) (local.get $hi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

;; The gradient of relu(x), clipped above at hi (ReLU6: hi = 6; plain ReLU: hi = +∞), as tfjs-core's chain of op
  ;; gradients computes it: clipByValue's (dy where relu(x) ≤ hi, else +0) times relu's step(x) (1 where x > 0, 0 where
  ;; x ≤ 0, NaN where x is NaN), so dy where 0 < x ≤ hi, +0 where x > hi, dy·0 (a signed zero, or NaN for an infinite
  ;; dy) where x ≤ 0, NaN where x is NaN
  (func (export "relu_grad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $hi f32)
    (local $i i32) (local $end i32) (local $v v128) (local $g v128) (local $vhi v128) (local $s f32) (local $d f32)
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $g (v128.load (i32.add (local.get $dy) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.bitselect
            (f32x4.mul (local.get $g) (local.get $v))
            (v128.bitselect
              (v128.and (local.get $g) (f32x4.le (local.get $v) (local.get $vhi)))
              (f32x4.mul (local.get $g) (f32x4.splat (f32.const 0)))
              (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0))))
            (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next4)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $i))))
        (local.set $d (f32.load (i32.add (local.get $dy) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select
            (f32.mul (local.get $d) (local.get $s))
            (select
              (select (local.get $d) (f32.const 0) (f32.le (local.get $s) (local.get $hi)))
              (f32.mul (local.get $d) (f32.const 0))
              (f32.gt (local.get $s) (f32.const 0)))
            (f32.ne (local.get $s) (local.get $s))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next))))

  ;; s1[c] = Σ_r (x[r, c] − k[c]) and s2[c] = Σ_r (x[r, c] − k[c])² in one pass, k a shift near the mean (the first
  ;; row): a batch's mean k + s1/R and variance s2/R − (s1/R)², without the cancellation of raw moments
  (func (export "channel_shifted_moments")
    (param $x i32) (param $k i32) (param $rows i32) (param $cb i32) (param $s1 i32) (param $s2 i32)
    (local $r i32) (local $c i32) (local $d v128)
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (local.get $cb)))
        (v128.store (i32.add (local.get $s1) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (v128.store (i32.add (local.get $s2) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $zero)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channel
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $cb)))
            (local.set $d
              (f32x4.sub
                (v128.load (i32.add (local.get $x) (local.get $c)))
                (v128.load (i32.add (local.get $k) (local.get $c)))))
            (v128.store (i32.add (local.get $s1) (local.get $c))
              (f32x4.add (v128.load (i32.add (local.get $s1) (local.get $c))) (local.get $d)))
            (v128.store (i32.add (local.get $s2) (local.get $c))
              (f32x4.add
                (v128.load (i32.add (local.get $s2) (local.get $c)))
                (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $channel)))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; out[c] = Σ_r (a[r, c] − ca[c])·(b[r, c] − cb[c]): a variance's sum (a = b = x, ca = cb = mean) or the
  ;; centred product of a gradient (a = x, ca = mean, b = dy, cb = zeros)
  (func (export "channel_centred_dot")
    (param $a i32) (param $ca i32) (param $b i32) (param $cbv i32) (param $rows i32) (param $cb i32) (param $out i32)
    (local $r i32) (local $c i32)
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (local.get $cb)))
        (v128.store (i32.add (local.get $out) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $zero)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channel
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $cb)))
            (v128.store (i32.add (local.get $out) (local.get $c))
              (f32x4.add
                (v128.load (i32.add (local.get $out) (local.get $c)))
                (f32x4.mul
                  (f32x4.sub
                    (v128.load (i32.add (local.get $a) (local.get $c)))
                    (v128.load (i32.add (local.get $ca) (local.get $c))))
                  (f32x4.sub
                    (v128.load (i32.add (local.get $b) (local.get $c)))
                    (v128.load (i32.add (local.get $cbv) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $channel)))
        (local.set $a (i32.add (local.get $a) (local.get $cb)))
        (local.set $b (i32.add (local.get $b) (local.get $cb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; sumDy[c] = Σ_r dy[r, c] and sumDyX[c] = Σ_r dy[r, c]·(x[r, c] − mean[c]) in one pass: batch normalisation's
  ;; offset and (times 1/√(var + ε)) scale gradients
  (func (export "channel_sum_and_dot")
    (param $dy i32) (param $x i32) (param $mean i32) (param $rows i32) (param $cb i32) (param $sumDy i32)
    (param $sumDyX i32)
    (local $r i32) (local $c i32) (local $g v128)
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $c) (local.get $cb)))
        (v128.store (i32.add (local.get $sumDy) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (v128.store (i32.add (local.get $sumDyX) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $zero)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channel
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $cb)))
            (local.set $g (v128.load (i32.add (local.get $dy) (local.get $c))))
            (v128.store (i32.add (local.get $sumDy) (local.get $c))
              (f32x4.add (v128.load (i32.add (local.get $sumDy) (local.get $c))) (local.get $g)))
            (v128.store (i32.add (local.get $sumDyX) (local.get $c))
              (f32x4.add
                (v128.load (i32.add (local.get $sumDyX) (local.get $c)))
                (f32x4.mul
                  (local.get $g)
                  (f32x4.sub
                    (v128.load (i32.add (local.get $x) (local.get $c)))
                    (v128.load (i32.add (local.get $mean) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $channel)))
        (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; out[r, c] = a[r, c]·pa[c] + b[r, c]·pb[c] + pc[c]: batch normalisation's output (b = a, pb = zeros) and its
  ;; input gradient
  (func (export "channel_affine")
    (param $a i32) (param $pa i32) (param $b i32) (param $pb i32) (param $pc i32) (param $out i32)
    (param $rows i32) (param $cb i32)
    (local $r i32) (local $c i32)
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $channelsDone
          (loop $channel
            (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $cb)))
            (v128.store (i32.add (local.get $out) (local.get $c))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul
                    (v128.load (i32.add (local.get $a) (local.get $c)))
                    (v128.load (i32.add (local.get $pa) (local.get $c))))
                  (f32x4.mul
                    (v128.load (i32.add (local.get $b) (local.get $c)))
                    (v128.load (i32.add (local.get $pb) (local.get $c)))))
                (v128.load (i32.add (local.get $pc) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $channel)))
        (local.set $a (i32.add (local.get $a) (local.get $cb)))
        (local.set $b (i32.add (local.get $b) (local.get $cb)))
        (local.set $out (i32.add (local.get $out) (local.get $cb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The gradients of a depthwise convolution with channel multiplier 1, x [B, H, W, C], dy [B, OH, OW, C], filter
  ;; [KH, KW, C], strides (sh, sw), top/left padding (pt, pl). Output position (oh, ow) reads input (oh·sh + kh − pt,
  ;; ow·sw + kw − pl); positions outside the input are zero padding. With `mode` 0 (filter gradient, `out` zeroed
  ;; here):   out[kh, kw, c] += x[b, h, w, c]·dy[b, oh, ow, c]
  ;; with `mode` 1 (input gradient, `out` zeroed by the caller):   out[b, h, w, c] += dy[b, oh, ow, c]·f[kh, kw, c]
  ;; `xf` is x (mode 0) or the filter (mode 1).
  (func (export "depthwise_grad")
    (param $mode i32) (param $xf i32) (param $dy i32) (param $out i32)
    (param $B i32) (param $H i32) (param $W i32) (param $cb i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $kh i32) (local $kw i32) (local $b i32) (local $oh i32) (local $ow i32) (local $h i32) (local $w i32)
    (local $c i32) (local $tap i32) (local $xRow i32) (local $dyRow i32) (local $xp i32) (local $dyp i32)
    (local $n i32)
    (if (i32.eqz (local.get $mode))
      (then
        (local.set $n (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $cb)))
        (block $zeroed
          (loop $zero
            (br_if $zeroed (i32.ge_u (local.get $c) (local.get $n)))
            (v128.store (i32.add (local.get $out) (local.get $c)) (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $zero)))))
    (block $khDone
      (loop $khNext
        (br_if $khDone (i32.ge_u (local.get $kh) (local.get $KH)))
        (local.set $kw (i32.const 0))
        (block $kwDone
          (loop $kwNext
            (br_if $kwDone (i32.ge_u (local.get $kw) (local.get $KW)))
            ;; byte offset of filter[kh, kw, 0]
            (local.set $tap
              (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $cb)))
            (local.set $b (i32.const 0))
            (block $bDone
              (loop $bNext
                (br_if $bDone (i32.ge_u (local.get $b) (local.get $B)))
                (local.set $oh (i32.const 0))
                (block $ohDone
                  (loop $ohNext
                    (br_if $ohDone (i32.ge_u (local.get $oh) (local.get $OH)))
                    (local.set $h
                      (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sh)) (local.get $kh)) (local.get $pt)))
                    ;; unsigned: a negative h is out of range too
                    (if (i32.lt_u (local.get $h) (local.get $H))
                      (then
                        (local.set $xRow
                          (i32.mul
                            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h)) (local.get $W))
                            (local.get $cb)))
                        (local.set $dyRow
                          (i32.add (local.get $dy)
                            (i32.mul
                              (i32.mul (i32.add (i32.mul (local.get $b) (local.get $OH)) (local.get $oh)) (local.get $OW))
                              (local.get $cb))))
                        (local.set $ow (i32.const 0))
                        (block $owDone
                          (loop $owNext
                            (br_if $owDone (i32.ge_u (local.get $ow) (local.get $OW)))
                            (local.set $w
                              (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sw)) (local.get $kw)) (local.get $pl)))
                            (if (i32.lt_u (local.get $w) (local.get $W))
                              (then
                                (local.set $xp (i32.add (local.get $xRow) (i32.mul (local.get $w) (local.get $cb))))
                                (local.set $dyp (i32.add (local.get $dyRow) (i32.mul (local.get $ow) (local.get $cb))))
                                (local.set $c (i32.const 0))
                                (if (i32.eqz (local.get $mode))
                                  (then
                                    ;; out (the filter gradient) at tap, x at xp
                                    (local.set $xp (i32.add (local.get $xf) (local.get $xp)))
                                    (local.set $n (i32.add (local.get $out) (local.get $tap)))
                                    (block $cDone
                                      (loop $cNext
                                        (br_if $cDone (i32.ge_u (local.get $c) (local.get $cb)))
                                        (v128.store (i32.add (local.get $n) (local.get $c))
                                          (f32x4.add
                                            (v128.load (i32.add (local.get $n) (local.get $c)))
                                            (f32x4.mul
                                              (v128.load (i32.add (local.get $xp) (local.get $c)))
                                              (v128.load (i32.add (local.get $dyp) (local.get $c))))))
                                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                                        (br $cNext))))
                                  (else
                                    ;; out (the input gradient) at xp, the filter at tap
                                    (local.set $xp (i32.add (local.get $out) (local.get $xp)))
                                    (local.set $n (i32.add (local.get $xf) (local.get $tap)))
                                    (block $cDone
                                      (loop $cNext
                                        (br_if $cDone (i32.ge_u (local.get $c) (local.get $cb)))
                                        (v128.store (i32.add (local.get $xp) (local.get $c))
                                          (f32x4.add
                                            (v128.load (i32.add (local.get $xp) (local.get $c)))
                                            (f32x4.mul
                                              (v128.load (i32.add (local.get $dyp) (local.get $c)))
                                              (v128.load (i32.add (local.get $n) (local.get $c))))))
                                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                                        (br $cNext)))))))
                            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                            (br $owNext)))))
                    (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                    (br $ohNext)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $bNext)))
            (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
            (br $kwNext)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $khNext)))))
