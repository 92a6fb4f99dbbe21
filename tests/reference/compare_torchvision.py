"""Loads tensors dumped by MotivationDsl.Tests (the generated EfficientNet, ResNet and ViT examples) into torchvision's
own models with load_state_dict(strict=True) -- every state_dict key and shape must match torchvision's -- runs the same
input in eval mode and prints the max abs difference of the logits.
Usage: python3 compare_torchvision.py DIR ARCH CLASSES SIZE   (ARCH: efficientnet_b0 .. b5, resnet50, resnet101, vit_tiny, vit_small)
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin/output.bin."""
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

torch.set_num_threads(1)
d, arch, classes, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
state, extra = {}, {}
for line in open(os.path.join(d, "index.txt")):
    name, dtype, shape = line.split()
    shape = [int(s) for s in shape.split(",") if s != ""] if shape != "-" else []
    arr = np.fromfile(os.path.join(d, name + ".bin"), dtype=np.float32 if dtype == "f32" else np.int64).reshape(shape)
    (extra if name in ("input", "output") else state)[name] = torch.from_numpy(arr.copy())
if arch.startswith("efficientnet") or arch.startswith("resnet"):
    model = getattr(torchvision.models, arch)(num_classes=classes)
elif arch == "vit_tiny":
    model = VisionTransformer(image_size=size, patch_size=16, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768, num_classes=classes)
elif arch == "vit_small":
    model = VisionTransformer(image_size=size, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384, mlp_dim=1536, num_classes=classes)
else:
    raise SystemExit("unknown arch " + arch)
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    y = model(extra["input"])
print("scale", float(y.abs().max()))
print("maxdiff", float((y - extra["output"]).abs().max()))
