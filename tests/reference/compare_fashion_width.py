"""PyTorch definition of the width pair of examples/Experiments/FashionResNetWidth.cs: the CIFAR ResNet-20 layout
(tests/reference/resnet_cifar.py's BasicBlock with option B projection shortcuts) on 1x28x28 Fashion-MNIST input, at
stage widths w/2w/4w with a stem of w channels (HalfWidth: w = 8, FullWidth: w = 16), 3 blocks per stage, global
average pooling and a 10-way linear head.
Loads the tensors MotivationDsl.Tests dumped from the generated module with load_state_dict(strict=True) -- every
state_dict key and shape must match --, runs the same input in eval mode and prints the max abs difference of the
logits, their scale, the parameter count and the MACs of one sample (forward hooks, as compare_block_layers.py).
Usage: python3 compare_fashion_width.py DIR VARIANT   (HalfWidth or FullWidth)"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from resnet_cifar import BasicBlock, macs  # noqa: E402
from dump_io import read_dump  # noqa: E402

WIDTH = {"HalfWidth": 8, "FullWidth": 16}


class FashionResNetB(nn.Module):
    def __init__(self, w, n=3, classes=10):
        super().__init__()
        self.in_planes = w
        self.conv1 = nn.Conv2d(1, w, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.layer1 = self._make(w, n, 1)
        self.layer2 = self._make(2 * w, n, 2)
        self.layer3 = self._make(4 * w, n, 2)
        self.linear = nn.Linear(4 * w, classes)

    def _make(self, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(BasicBlock(self.in_planes, planes, s, option="B"))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.linear(torch.flatten(F.adaptive_avg_pool2d(out, 1), 1))


d, variant = sys.argv[1], sys.argv[2]
state, extra = read_dump(d)
model = FashionResNetB(WIDTH[variant])
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    y = model(extra["input"])
print("scale", float(y.abs().max()))
print("maxdiff", float((y - extra["output"]).abs().max()))
print("params", sum(p.numel() for p in model.parameters()))
print("macs", macs(model, tuple(extra["input"][:1].shape)))
