"""Loads tensors dumped by MotivationDsl.Tests (TorchSharp ResNetCifar) into the PyTorch reference model with
load_state_dict(strict=True) -- so every state_dict key and shape must match PyTorch's -- runs the same input in eval
mode and prints the max abs difference of the logits. Usage: python3 compare_forward.py DIR DEPTH
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin/output.bin."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from resnet_cifar import ResNet  # noqa: E402

d, depth = sys.argv[1], int(sys.argv[2])
state = {}
extra = {}
for line in open(os.path.join(d, "index.txt")):
    name, dtype, shape = line.split()
    shape = [int(s) for s in shape.split(",") if s != ""] if shape != "-" else []
    arr = np.fromfile(os.path.join(d, name + ".bin"), dtype=np.float32 if dtype == "f32" else np.int64).reshape(shape)
    (extra if name in ("input", "output") else state)[name] = torch.from_numpy(arr.copy())
model = ResNet((depth - 2) // 6, "A")
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    y = model(extra["input"])
print("scale", float(y.abs().max()))
print("maxdiff", float((y - extra["output"]).abs().max()))
