"""Loads tensors dumped by MotivationDsl.Tests (the generated EfficientNet, ResNet and ViT examples) into torchvision's
own models with load_state_dict(strict=True) -- every state_dict key and shape must match torchvision's -- runs the same
input in eval mode and prints the max abs difference of the logits.
Usage: python3 compare_torchvision.py DIR ARCH CLASSES SIZE   (ARCH: efficientnet_b0 .. b5, resnet50, resnet101, vit_tiny, vit_small)
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin/output.bin."""
import sys

import torch
import torchvision
from torchvision.models.vision_transformer import VisionTransformer
from dump_io import read_dump  # noqa: E402

torch.set_num_threads(1)
d, arch, classes, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
state, extra = read_dump(d)
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
