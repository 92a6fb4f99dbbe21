#!/usr/bin/python3
"""Independent parameter counts of the paper's reference architectures (Debian's python3-torch/torchvision).

Run: /usr/bin/python3 tests/reference/torchvision_counts.py
The numbers it prints are written into the tests that check the generated models (issue: exact counts).
"""
import json
import torch
import torchvision
from torchvision.models import efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, efficientnet_b5
from torchvision.models import resnet50, resnet101
from torchvision.models.vision_transformer import VisionTransformer


def count(m):
    return sum(p.numel() for p in m.parameters())


def buffers(m):
    return sum(b.numel() for b in m.buffers())


counts = {"torch": torch.__version__, "torchvision": torchvision.__version__}
for name, ctor in [("efficientnet_b0", efficientnet_b0), ("efficientnet_b1", efficientnet_b1), ("efficientnet_b2", efficientnet_b2),
                   ("efficientnet_b3", efficientnet_b3), ("efficientnet_b4", efficientnet_b4), ("efficientnet_b5", efficientnet_b5),
                   ("resnet50", resnet50), ("resnet101", resnet101)]:
    counts[name] = count(ctor(num_classes=1000))
# ViT-Ti/16 and ViT-S/16 (DeiT sizes) in torchvision's VisionTransformer layout, 224 px, 1000 classes.
counts["vit_tiny_16_224"] = count(VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=3, hidden_dim=192, mlp_dim=768))
counts["vit_small_16_224"] = count(VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384, mlp_dim=1536))
print(json.dumps(counts, indent=2))
