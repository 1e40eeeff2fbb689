"""Training throughput of the reference workloads in PyTorch, for the side-by-side figure in `npm run bench:perf`.

    python3 benchmarks/perf/torch_reference.py [--threads 1] [--batch 64] [--cnn-steps 30] [--mlp-steps 50]

The same models as benchmarks/models/architectures.ts (cnn: conv16 3x3 relu, maxpool 2, conv32 3x3 relu, maxpool 2,
dense 64 relu, dense 10; mlp: dense 256 relu, dense 128 relu, dense 10), Glorot-uniform kernels and zero biases as
Keras starts them, Adam (lr 0.001, epsilon 1e-7 as tfjs), cross-entropy on softmax, batch 64 of random 28x28x1
pixels with random labels, one optimiser step per batch after a warm-up, on `--threads` intra-op threads.
Prints one JSON object per line: {"arch": "cnn", "threads": 1, "batch": 64, "samplesPerSecond": 5012.3,
"samplesPerCpuSecond": 5230.1, "torch": "1.13.1"} (per CPU-second: the process's CPU time, which a busy machine
disturbs less than elapsed time).
Exits with status 3 and one line on stderr when torch is not installed.

    python3 benchmarks/perf/torch_reference.py --arch mobilenet-v2 [--alpha 0.35] [--size 96] [--batch 32] [--mobilenet-steps 3]

trains torchvision's mobilenet_v2(width_mult=alpha, num_classes=10) the same way on random size x size x 3 images,
in training mode (batch normalisation on batch statistics, as our MobileNetV2 step in bench:perf); exits with
status 3 when torchvision is not installed.
"""
import argparse
import json
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print("python3-torch is not installed (apt install python3-torch)", file=sys.stderr)
    sys.exit(3)


def glorot(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def build(arch):
    if arch == "cnn":
        return glorot(nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10)))
    return glorot(nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)))


def build_mobilenet(alpha):
    try:
        from torchvision.models import mobilenet_v2
    except ImportError:
        print("python3-torchvision is not installed (apt install python3-torchvision)", file=sys.stderr)
        sys.exit(3)
    return mobilenet_v2(width_mult=alpha, num_classes=10)


def measure(arch, batch, warmup, steps, alpha=0.35, size=96):
    torch.manual_seed(1)
    model = build_mobilenet(alpha) if arch == "mobilenet-v2" else build(arch)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    shape = (3, size, size) if arch == "mobilenet-v2" else (1, 28, 28)
    pool = [(torch.rand(batch, *shape), torch.randint(0, 10, (batch,))) for _ in range(4)]

    def step(i):
        xs, ys = pool[i % len(pool)]
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(warmup):
        step(i)
    start = time.perf_counter()
    cpu_start = time.process_time()
    for i in range(steps):
        step(i)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return steps * batch / seconds, steps * batch / cpu_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--cnn-steps", type=int, default=30)
    parser.add_argument("--mlp-steps", type=int, default=50)
    parser.add_argument("--mobilenet-steps", type=int, default=3)
    parser.add_argument("--alpha", type=float, default=0.35)
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--arch", choices=["cnn", "mlp", "mobilenet-v2"], action="append")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for arch in args.arch or ["mlp", "cnn"]:
        steps = {"cnn": args.cnn_steps, "mlp": args.mlp_steps, "mobilenet-v2": args.mobilenet_steps}[arch]
        warmup = 1 if arch == "mobilenet-v2" else max(3, steps // 10)
        rate, cpu_rate = measure(arch, args.batch, warmup, steps, args.alpha, args.size)
        print(json.dumps({"arch": arch, "threads": args.threads, "batch": args.batch,
                          "samplesPerSecond": round(rate, 1), "samplesPerCpuSecond": round(cpu_rate, 1),
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
