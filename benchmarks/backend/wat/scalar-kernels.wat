;; Scalar kernels (the Adam update four elements at a time with SIMD) for tfjs-backend-wasm, on the backend's own memory: the Adam update, the 2×2 max-pool
;; gradient and sums over leading axes. Assembled by `npm run build:wasm` (the wabt package) into dist/; see
;; wat-module.ts. Every pointer is a byte offset into the imported memory (a tensor's `memoryOffset`); counts are
;; element counts. f32 operations round every result to float32 as the stock kernels' arithmetic does, in the order
;; written here, so each function gives the stock kernel's results bit for bit (held to the cpu backend by
;; test/unit/backend/wasm-adam.test.ts, wasm-maxpool*.test.ts and wasm-sum.test.ts).
(module
  (import "env" "memory" (memory 0))

  ;; One Adam step of one variable (tfjs-core's AdamOptimizer, as one pass):
  ;;   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2);
  ;;   value' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + value
  ;; Four elements at a time with f32x4 (each lane's +, ×, ÷ and √ is the float32 operation, rounded as the scalar
  ;; one: the same bits), then the last n mod 4 one by one. Each chunk is loaded before it is stored, so outM and outV
  ;; may be m and v (wasm-adam.ts updates the moments in place).
  (func (export "adam")
    (param $value i32) (param $m i32) (param $v i32) (param $g i32)
    (param $outValue i32) (param $outM i32) (param $outV i32) (param $n i32)
    (param $b1 f32) (param $oneMinusB1 f32) (param $b2 f32) (param $oneMinusB2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $minusLr f32)
    (local $end i32) (local $p i32) (local $gi f32) (local $mi f32) (local $vi f32)
    (local $end4 i32) (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $g4 (v128.load (i32.add (local.get $g) (local.get $p))))
        (local.set $m4
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $p))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $g4) (f32x4.splat (local.get $oneMinusB1)))))
        (local.set $v4
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $p))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (f32x4.splat (local.get $oneMinusB2)))))
        (v128.store (i32.add (local.get $outM) (local.get $p)) (local.get $m4))
        (v128.store (i32.add (local.get $outV) (local.get $p)) (local.get $v4))
        (v128.store (i32.add (local.get $outValue) (local.get $p))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m4) (f32x4.splat (local.get $c1)))
                (f32x4.add
                  (f32x4.sqrt (f32x4.div (local.get $v4) (f32x4.splat (local.get $c2))))
                  (f32x4.splat (local.get $eps))))
              (f32x4.splat (local.get $minusLr)))
            (v128.load (i32.add (local.get $value) (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $gi (f32.load (i32.add (local.get $g) (local.get $p))))
        (local.set $mi
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $p))) (local.get $b1))
            (f32.mul (local.get $gi) (local.get $oneMinusB1))))
        (local.set $vi
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $p))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gi) (local.get $gi)) (local.get $oneMinusB2))))
        (f32.store (i32.add (local.get $outM) (local.get $p)) (local.get $mi))
        (f32.store (i32.add (local.get $outV) (local.get $p)) (local.get $vi))
        (f32.store (i32.add (local.get $outValue) (local.get $p))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $mi) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $vi) (local.get $c2))) (local.get $eps)))
              (local.get $minusLr))
            (f32.load (i32.add (local.get $value) (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next))))

  ;; The gradient of a 2×2, stride-2 max pool (NHWC): each window's gradient goes to its first maximum in row-major
  ;; order; a NaN never wins; a window of NaN and −∞ only sends nothing. Every value of every window is written (the
  ;; gradient or 0), so only the input's last row and column, when its height or width is odd, are left to the
  ;; caller. Comparisons and `select` are on integers only (V8 compiles an integer select without a branch, a float
  ;; select with one; a branch on real activations is mispredicted about half the time); the gradient is moved as its
  ;; bit pattern.
  (func (export "maxpool2x2_grad")
    (param $x i32) (param $g i32) (param $dx i32) (param $batch i32) (param $outH i32) (param $outW i32)
    (param $inH i32) (param $inW i32) (param $ch i32)
    (local $row i32) (local $rowEnd i32) (local $b i32) (local $ow i32) (local $c i32)
    (local $i00 i32) (local $cs i32) (local $rs i32) (local $goff i32)
    (local $aWins i32) (local $cWins i32) (local $topWins i32) (local $batchBase i32) (local $idx i32) (local $gBits i32)
    (local $va f32) (local $vb f32) (local $vc f32) (local $vd f32)
    (local.set $cs (local.get $ch))
    (local.set $rs (i32.mul (local.get $inW) (local.get $ch)))
    (block $batchesDone
      (loop $batchNext
        (br_if $batchesDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $batchBase (i32.mul (local.get $b) (local.get $inH)))
        (local.set $row (local.get $batchBase))
        (local.set $rowEnd (i32.add (local.get $batchBase) (i32.shl (local.get $outH) (i32.const 1))))
        (block $rowsDone
          (loop $rowNext
            (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rowEnd)))
            (local.set $ow (i32.const 0))
            (block $columnsDone
              (loop $columnNext
                (br_if $columnsDone (i32.ge_u (local.get $ow) (local.get $outW)))
                ;; the window's top-left element, channel 0
                (local.set $i00
                  (i32.mul
                    (i32.add
                      (i32.mul (local.get $row) (local.get $inW))
                      (i32.shl (local.get $ow) (i32.const 1)))
                    (local.get $ch)))
                (local.set $c (i32.const 0))
                (block $channelsDone
                  (loop $channelNext
                    (br_if $channelsDone (i32.ge_u (local.get $c) (local.get $ch)))
                    ;; a, b: the window's top row; c, d: its bottom row
                    (local.set $va (f32.load (i32.add (i32.shl (local.get $i00) (i32.const 2)) (local.get $x))))
                    (local.set $vb
                      (f32.load (i32.add (i32.shl (i32.add (local.get $i00) (local.get $cs)) (i32.const 2)) (local.get $x))))
                    (local.set $vc
                      (f32.load (i32.add (i32.shl (i32.add (local.get $i00) (local.get $rs)) (i32.const 2)) (local.get $x))))
                    (local.set $vd
                      (f32.load
                        (i32.add
                          (i32.shl (i32.add (i32.add (local.get $i00) (local.get $rs)) (local.get $cs)) (i32.const 2))
                          (local.get $x))))
                    ;; aWins = a >= b || b is NaN; cWins = c >= d || d is NaN
                    (local.set $aWins (i32.or (f32.ge (local.get $va) (local.get $vb)) (f32.ne (local.get $vb) (local.get $vb))))
                    (local.set $cWins (i32.or (f32.ge (local.get $vc) (local.get $vd)) (f32.ne (local.get $vd) (local.get $vd))))
                    ;; topWins = top >= bottom || bottom is NaN, top and bottom being the rows' winners
                    (local.set $topWins
                      (i32.or
                        (select
                          (select (f32.ge (local.get $va) (local.get $vc)) (f32.ge (local.get $va) (local.get $vd)) (local.get $cWins))
                          (select (f32.ge (local.get $vb) (local.get $vc)) (f32.ge (local.get $vb) (local.get $vd)) (local.get $cWins))
                          (local.get $aWins))
                        (select (f32.ne (local.get $vc) (local.get $vc)) (f32.ne (local.get $vd) (local.get $vd)) (local.get $cWins))))
                    ;; idx = the winner's element index
                    (local.set $idx
                      (select
                        (select (local.get $i00) (i32.add (local.get $i00) (local.get $cs)) (local.get $aWins))
                        (select
                          (i32.add (local.get $i00) (local.get $rs))
                          (i32.add (i32.add (local.get $i00) (local.get $rs)) (local.get $cs))
                          (local.get $cWins))
                        (local.get $topWins)))
                    ;; the gradient's bits if the winner is above −∞ (so not NaN, and not a window of −∞ only), else 0
                    (local.set $gBits
                      (select
                        (i32.load (i32.add (local.get $goff) (local.get $g)))
                        (i32.const 0)
                        (select
                          (select
                            (f32.gt (local.get $va) (f32.const -inf))
                            (f32.gt (local.get $vb) (f32.const -inf))
                            (local.get $aWins))
                          (select
                            (f32.gt (local.get $vc) (f32.const -inf))
                            (f32.gt (local.get $vd) (f32.const -inf))
                            (local.get $cWins))
                          (local.get $topWins))))
                    ;; every value of the window is written: the gradient at the winner, 0 elsewhere
                    (i32.store (i32.add (i32.shl (local.get $i00) (i32.const 2)) (local.get $dx))
                      (select (local.get $gBits) (i32.const 0) (i32.eq (local.get $i00) (local.get $idx))))
                    (i32.store (i32.add (i32.shl (i32.add (local.get $i00) (local.get $cs)) (i32.const 2)) (local.get $dx))
                      (select (local.get $gBits) (i32.const 0) (i32.eq (i32.add (local.get $i00) (local.get $cs)) (local.get $idx))))
                    (i32.store (i32.add (i32.shl (i32.add (local.get $i00) (local.get $rs)) (i32.const 2)) (local.get $dx))
                      (select (local.get $gBits) (i32.const 0) (i32.eq (i32.add (local.get $i00) (local.get $rs)) (local.get $idx))))
                    (i32.store (i32.add (i32.shl (i32.add (i32.add (local.get $i00) (local.get $rs)) (local.get $cs)) (i32.const 2)) (local.get $dx))
                      (select (local.get $gBits) (i32.const 0) (i32.eq (i32.add (i32.add (local.get $i00) (local.get $rs)) (local.get $cs)) (local.get $idx))))
                    (local.set $goff (i32.add (local.get $goff) (i32.const 4)))
                    (local.set $i00 (i32.add (local.get $i00) (i32.const 1)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $channelNext)))
                (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
                (br $columnNext)))
            (local.set $row (i32.add (local.get $row) (i32.const 2)))
            (br $rowNext)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $batchNext))))

  ;; out[c] = Σ_r x[r, c] for x viewed as [rows, cols]: the rows are added column by column in row order, the order
  ;; tfjs-backend-wasm's Sum adds them in after transposing the summed axes innermost
  (func (export "sum_rows") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $rowBytes i32) (local $p i32) (local $r i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $p) (local.get $rowBytes)))
        (f32.store (i32.add (local.get $out) (local.get $p)) (f32.const 0))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $zero)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $p) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $out) (local.get $p))
              (f32.add
                (f32.load (i32.add (local.get $out) (local.get $p)))
                (f32.load (i32.add (local.get $x) (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $column)))
        (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
