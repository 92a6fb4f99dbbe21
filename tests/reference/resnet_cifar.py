"""Independent PyTorch reference for the CIFAR ResNets of examples/ResNetCifar.

Faithful to https://github.com/akamaster/pytorch_resnet_cifar10/blob/master/resnet.py (option A shortcut:
F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))), plus an option B variant for comparison.
Prints parameter counts, MACs per sample (conv: out_c*out_h*out_w*(in_c/groups)*k*k, linear: in*out) and the
state_dict keys' count. Run: /usr/bin/python3 tests/reference/resnet_cifar.py
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LambdaLayer(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1, option="A"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            if option == "A":
                self.shortcut = LambdaLayer(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4)))
            else:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, n, option="A", num_classes=10):
        super().__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._make(16, n, 1, option)
        self.layer2 = self._make(32, n, 2, option)
        self.layer3 = self._make(64, n, 2, option)
        self.linear = nn.Linear(64, num_classes)

    def _make(self, planes, n, stride, option):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(BasicBlock(self.in_planes, planes, s, option))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, out.size()[3]).view(out.size(0), -1)
        return self.linear(out)


def macs(model, shape=(1, 3, 32, 32)):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.shape[1] * out.shape[2] * out.shape[3] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total[0] += m.in_features * m.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(shape))
    for h in hs:
        h.remove()
    return total[0]


if __name__ == "__main__":
    print("torch", torch.__version__)
    for option in ["A", "B"]:
        for depth in [20, 32, 44, 56]:
            m = ResNet((depth - 2) // 6, option)
            params = sum(p.numel() for p in m.parameters())
            print(f"option {option} ResNet{depth}: parameters={params} macs={macs(m)} state_dict_keys={len(m.state_dict())}")
