"""Loads tensors dumped by MotivationDsl.Tests (TorchSharp ResNetCifar) into the PyTorch reference model with
load_state_dict(strict=True) -- so every state_dict key and shape must match PyTorch's -- runs the same input in eval
mode and prints the max abs difference of the logits. Usage: python3 compare_forward.py DIR DEPTH
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin/output.bin."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from resnet_cifar import ResNet  # noqa: E402
from dump_io import read_dump  # noqa: E402

d, depth = sys.argv[1], int(sys.argv[2])
state, extra = read_dump(d)
model = ResNet((depth - 2) // 6, "A")
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    y = model(extra["input"])
print("scale", float(y.abs().max()))
print("maxdiff", float((y - extra["output"]).abs().max()))
