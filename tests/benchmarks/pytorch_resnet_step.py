"""PyTorch side of the MotivationDsl step benchmark (tests/MotivationDsl.Benchmarks, docs/performance.md).

ResNet-20 (tests/reference/resnet_cifar.py: akamaster layout, option A shortcuts), batch 128, SGD lr 0.1 momentum 0.9
weight decay 5e-4, cross entropy, train mode, one loss read (.item()) per step -- the same work as one step of the
C# trainer. Input: the first N Fashion-MNIST training images as the C# side prepares them (normalised, zero-padded
28 -> 32, repeated to 3 channels), or random data of the same shape when the dataset is absent.

--channels-last: model and input in torch.channels_last memory format (`to(memory_format=torch.channels_last)`).

Prints one JSON line: {"torch": ..., "threads": ..., "seconds_per_step": [...], "data": ...}.
--serve: stays up for interleaved measurements; for every line "N" read from stdin it times N steps (cycling over
the --steps batches of data) and prints one JSON line {"seconds": total, "seconds_per_step": [...]}; EOF ends it.
Run: /usr/bin/python3 tests/benchmarks/pytorch_resnet_step.py --threads 2 --steps 6 --warmup 1 [--channels-last]
"""
import argparse
import gzip
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from resnet_cifar import ResNet  # noqa: E402


def load_fashion(n):
    path = "/usr/share/datasets/fashion-mnist"
    try:
        with gzip.open(os.path.join(path, "train-images-idx3-ubyte.gz"), "rb") as f:
            raw = f.read()
        with gzip.open(os.path.join(path, "train-labels-idx1-ubyte.gz"), "rb") as f:
            labels = f.read()
    except OSError:
        return None
    x = torch.frombuffer(bytearray(raw[16:16 + n * 784]), dtype=torch.uint8).view(n, 1, 28, 28).float()
    x = ((x / 255 - 0.2860) / 0.3530)
    x = F.pad(x, (2, 2, 2, 2)).expand(n, 3, 32, 32).contiguous()
    y = torch.frombuffer(bytearray(labels[8:8 + n]), dtype=torch.uint8).long()
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--sections", action="store_true", help="also time forward+loss, backward and optimizer step separately")
    ap.add_argument("--channels-last", action="store_true", help="model and input in torch.channels_last")
    ap.add_argument("--serve", action="store_true", help="time N steps per stdin line N (see the module docstring)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    n = a.batch * a.steps
    data = load_fashion(n)
    source = "fashion-mnist"
    if data is None:
        data = (torch.randn(n, 3, 32, 32), torch.randint(0, 10, (n,)))
        source = "random"
    x, y = data
    model = ResNet(3, "A", 10)
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)

    sections = {"forward": [], "backward": [], "step": []}

    def step(i):
        i %= a.steps
        xb = x[i * a.batch:(i + 1) * a.batch]
        yb = y[i * a.batch:(i + 1) * a.batch]
        opt.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(xb), yb)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if a.sections:
            sections["forward"].append(t1 - t0)
            sections["backward"].append(t2 - t1)
            sections["step"].append(t3 - t2)
        return loss.item()

    for i in range(min(a.warmup, a.steps)):
        step(i)
    for v in sections.values():
        v.clear()
    if a.serve:
        done = 0
        for line in sys.stdin:
            n = int(line)
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                step(done)
                times.append(time.perf_counter() - t0)
                done += 1
            print(json.dumps({"seconds": sum(times), "seconds_per_step": times}), flush=True)
        return
    times = []
    for i in range(a.steps):
        t0 = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seconds_per_step": times, "data": source,
                      "mkldnn": torch.backends.mkldnn.is_available(), **({"sections": sections} if a.sections else {})}))


if __name__ == "__main__":
    main()
