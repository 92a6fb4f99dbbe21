"""PyTorch definitions of tests/MotivationDsl.Tests/BlockVocabularyModels.cs (BlockLayerNet: Linear, LayerNorm, Flatten,
window and adaptive pooling, squeeze-and-excitation (torchvision.ops.SqueezeExcitation) inside user blocks, a residual
MLP stage on features) and BranchModels.cs (BranchNet: parallel branches joined by concatenation and by addition).
Loads the tensors MotivationDsl.Tests dumped from the generated module with load_state_dict(strict=True) -- every state_dict key and shape must match --,
runs the same input in eval mode and prints the max abs difference of the logits, the parameter count and the MACs of
one sample (forward hooks: a convolution out_c x out_h x out_w x in_c/groups x k x k, a linear layer in x out).
Also KernelModels.cs (KernelNet: a kernel per variant in Basic blocks and in a [ScalableBlock] stage) and
SqueezeActivationModels.cs (SqueezeActivationNet: squeeze-and-excitation with GELU and with SiLU inside user blocks).
Usage: python3 compare_block_layers.py DIR MODEL VARIANT   (BlockLayerNet S, F or L; BranchNet S, W or L;
ExtraStageNet S or L; KernelNet S or L; SqueezeActivationNet S or L)
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin/output.bin."""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import SqueezeExcitation

sys.path.insert(0, os.path.dirname(__file__))
from resnet_cifar import BasicBlock, macs  # noqa: E402
from dump_io import read_dump  # noqa: E402

VARIANTS = {
    # depths, stage widths, the [LayerWidth] layer's width (BlockLayerNet: stem, BranchNet: hidden)
    "BlockLayerNet": {"S": ([1, 1, 1], [8, 16, 16], 8), "F": ([1, 1, 1], [12, 16, 16], 8), "L": ([2, 1, 2], [12, 24, 24], 12)},
    "BranchNet": {"S": ([1, 1], [8, 8], 16), "W": ([1, 1], [12, 12], 16), "L": ([1, 2], [12, 12], 24)},
    "ExtraStageNet": {"S": ([1, 0],), "L": ([1, 2],)},
    # depths, the kxk kernel of every stage
    "KernelNet": {"S": ([1, 1], 3), "L": ([2, 1], 5)},
    "SqueezeActivationNet": {"S": ([1, 1], [16, 16]), "L": ([1, 2], [24, 24])},
}


class PoolBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.conv = nn.Conv2d(cin, planes, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(planes)
        self.se = SqueezeExcitation(planes, max(1, int(planes * 0.25)))  # torchvision's own (ReLU, sigmoid)

    def forward(self, x):
        return F.max_pool2d(self.se(F.relu(self.bn(self.conv(x)))), 2)


class HeadBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.fc = nn.Linear(cin * 2 * 2, planes)
        self.norm = nn.LayerNorm(planes)

    def forward(self, x):
        return F.gelu(self.norm(self.fc(torch.flatten(F.adaptive_max_pool2d(x, 2), 1))))


class MlpBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.ln = nn.LayerNorm(cin)
        self.fc1 = nn.Linear(cin, 2 * planes)
        self.fc2 = nn.Linear(2 * planes, planes)

    def forward(self, x):
        return x + self.fc2(F.dropout(F.gelu(self.fc1(self.ln(x))), 0.1, self.training))


def stage(block, cin, planes, depth):
    return nn.Sequential(*[block(cin if i == 0 else planes, planes) for i in range(depth)])


class BlockLayerNet(nn.Module):
    def __init__(self, depth, width, stem, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(3, stem, 3, padding=1)
        self.features = stage(PoolBlock, stem, width[0], depth[0])
        self.head = stage(HeadBlock, width[0], width[1], depth[1])
        self.mlp = stage(MlpBlock, width[1], width[2], depth[2])
        self.classifier = nn.Linear(width[2], classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(F.relu(self.stem(x)), 8)
        return self.classifier(self.mlp(self.head(self.features(x))))


class ConvBn(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)


class MixBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.b1 = ConvBn(cin, planes, 1)
        self.b2 = ConvBn(cin, 2 * planes, 3)
        self.bn = nn.BatchNorm2d(3 * planes)
        self.project = nn.Conv2d(3 * planes, planes, 1)

    def forward(self, x):
        y = torch.cat([F.relu(b.bn(b.conv(x))) for b in (self.b1, self.b2)], 1)
        return self.project(self.bn(y))


class Main(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)


class AddBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        assert cin == planes
        self.main = Main(planes)

    def forward(self, x):
        return F.relu(self.main.bn(self.main.conv(x)) + x)


class BranchNet(nn.Module):
    def __init__(self, depth, width, hidden, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.mix = stage(MixBlock, 8, width[0], depth[0])
        self.fuse = stage(AddBlock, width[0], width[1], depth[1])
        self.hidden = nn.Linear(width[1], hidden)
        self.classifier = nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.fuse(self.mix(F.relu(self.stem(x))))
        return self.classifier(F.relu(self.hidden(torch.flatten(x.mean((2, 3), keepdim=True), 1))))


class ExtraStageNet(nn.Module):
    """The reference CIFAR ResNet's basic blocks (option B) with per-stage depths; an empty stage is the identity."""

    def __init__(self, depth, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(*[BasicBlock(16, 16, 1, "B") for _ in range(depth[0])])
        self.layer2 = nn.Sequential(*[BasicBlock(16 if i == 0 else 32, 32, 2 if i == 0 else 1, "B") for i in range(depth[1])])
        self.linear = nn.Linear(32 if depth[1] else 16, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x)))))
        return self.linear(torch.flatten(x.mean((2, 3), keepdim=True), 1))


class KernelBasicBlock(BasicBlock):
    """The reference basic block (option B) with kxk convolutions, padding k // 2."""

    def __init__(self, in_planes, planes, stride, k):
        super().__init__(in_planes, planes, stride, "B")
        self.conv1 = nn.Conv2d(in_planes, planes, k, stride, k // 2, bias=False)
        self.conv2 = nn.Conv2d(planes, planes, k, 1, k // 2, bias=False)


class KernelBlock(BasicBlock):
    """KernelModels.cs' [ScalableBlock]: a kxk convolution (stage stride) and a 1x1 convolution, option-B shortcut."""

    def __init__(self, in_planes, planes, stride, k):
        super().__init__(in_planes, planes, stride, "B")
        self.conv1 = nn.Conv2d(in_planes, planes, k, stride, k // 2, bias=False)
        self.conv2 = nn.Conv2d(planes, planes, 1, bias=False)


class KernelNet(nn.Module):
    def __init__(self, depth, k, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(*[KernelBasicBlock(8, 8, 1, k) for _ in range(depth[0])])
        self.layer2 = nn.Sequential(*[KernelBlock(8 if i == 0 else 16, 16, 2 if i == 0 else 1, k) for i in range(depth[1])])
        self.linear = nn.Linear(16, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x)))))
        return self.linear(torch.flatten(x.mean((2, 3), keepdim=True), 1))


class GeluSqueezeBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.conv = nn.Conv2d(cin, planes, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(planes)
        self.se = SqueezeExcitation(planes, max(1, int(planes * 0.125)), activation=nn.GELU)

    def forward(self, x):
        return self.se(F.relu(self.bn(self.conv(x))))


class SiluSqueezeBlock(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        assert cin == planes
        self.conv = nn.Conv2d(cin, planes, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(planes)
        self.se = SqueezeExcitation(planes, max(1, int(planes * 0.25)), activation=nn.SiLU)

    def forward(self, x):
        return F.relu(self.se(self.bn(self.conv(x))) + x)


class SqueezeActivationNet(nn.Module):
    def __init__(self, depth, width, classes=5):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.features = stage(GeluSqueezeBlock, 8, width[0], depth[0])
        self.residual = stage(SiluSqueezeBlock, width[0], width[1], depth[1])
        self.classifier = nn.Linear(width[1], classes)

    def forward(self, x):
        x = self.residual(self.features(F.relu(self.stem(x))))
        return self.classifier(torch.flatten(x.mean((2, 3), keepdim=True), 1))


d, model_name, variant = sys.argv[1], sys.argv[2], sys.argv[3]
state, extra = read_dump(d)
model = {"BlockLayerNet": BlockLayerNet, "BranchNet": BranchNet, "ExtraStageNet": ExtraStageNet,
         "KernelNet": KernelNet, "SqueezeActivationNet": SqueezeActivationNet}[model_name](*VARIANTS[model_name][variant])
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    y = model(extra["input"])
print("scale", float(y.abs().max()))
print("maxdiff", float((y - extra["output"]).abs().max()))
print("params", sum(p.numel() for p in model.parameters()))
print("macs", macs(model, tuple(extra["input"][:1].shape)))
