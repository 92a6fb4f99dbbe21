"""Checks a generated model's initialisation against torchvision's (WeightInit.EfficientNet, tests of MotivationDsl.Tests).
Usage: python3 compare_init.py DIR ARCH CLASSES   (ARCH: efficientnet_b0 .. b5)
DIR holds the generated model's freshly initialised tensors (index.txt and name.bin, as compare_torchvision.py) plus
input.bin and output.bin (its eval logits). For every state_dict tensor of torchvision's model (built with its own init,
seed 0), the generated tensor must follow the same law: convolutions N(0, 2 / fan_out) (mean and std within 6 standard
errors), linear weights U(-1/sqrt(out), 1/sqrt(out)) (range and std), biases and BatchNorm shifts 0, BatchNorm scales 1,
running statistics 0 / 1 / 0. torchvision's own tensors are checked against the same law, so the law is torchvision's.
Prints one line per mismatch ("MISMATCH name: ..."), "checked N", and the eval logits' largest magnitude of both models
on the same input ("scale ours theirs")."""
import math
import sys

import torch
import torchvision
from dump_io import read_dump  # noqa: E402

torch.set_num_threads(1)
d, arch, classes = sys.argv[1], sys.argv[2], int(sys.argv[3])
ours, extra = read_dump(d)
ours = {k: v.double() for k, v in ours.items()}
extra = {k: v.double() for k, v in extra.items()}

torch.manual_seed(0)
model = getattr(torchvision.models, arch)(num_classes=classes).eval()
kinds = {}
for mname, m in model.named_modules():
    for pname, _ in list(m.named_parameters(recurse=False)) + list(m.named_buffers(recurse=False)):
        kinds[(mname + "." if mname else "") + pname] = (type(m).__name__, pname, m)

problems = []


def law(name, t):
    """None if t follows torchvision's law for this tensor, else what is wrong."""
    kind, pname, m = kinds[name]
    n = t.numel()
    if pname == "num_batches_tracked" or pname == "running_mean" or pname == "bias":
        return None if bool((t == 0).all()) else f"not all zero (max |x| {t.abs().max():.3g})"
    if pname == "running_var" or (kind == "BatchNorm2d" and pname == "weight"):
        return None if bool((t == 1).all()) else f"not all one (range {t.min():.3g} .. {t.max():.3g})"
    if kind == "Conv2d":
        fan_out = t.shape[0] * math.prod(t.shape[2:])
        std = math.sqrt(2.0 / fan_out)
        mean_ok = abs(float(t.mean())) <= 6 * std / math.sqrt(n)
        std_ok = abs(float(t.std()) / std - 1) <= 6 / math.sqrt(2 * n)
        return None if mean_ok and std_ok else f"mean {float(t.mean()):.3g}, std {float(t.std()):.4g}, expected N(0, {std:.4g}^2) (n {n})"
    if kind == "Linear":
        bound = 1.0 / math.sqrt(t.shape[0])
        std_ok = abs(float(t.std()) / (bound / math.sqrt(3)) - 1) <= 6 * math.sqrt(0.8 / n)
        range_ok = float(t.abs().max()) <= bound and float(t.abs().max()) >= bound * (1 - 20.0 / n)
        return None if std_ok and range_ok else f"max |w| {float(t.abs().max()):.4g}, std {float(t.std()):.4g}, expected U(+-{bound:.4g})"
    return f"no rule for a {kind}.{pname}"


theirs = {k: v.double() for k, v in model.state_dict().items()}
if sorted(theirs) != sorted(ours):
    problems.append(f"keys differ: only torchvision {sorted(set(theirs) - set(ours))[:5]}, only ours {sorted(set(ours) - set(theirs))[:5]}")
for name in sorted(set(theirs) & set(ours)):
    for who, t in (("torchvision", theirs[name]), ("ours", ours[name])):
        wrong = law(name, t)
        if wrong:
            problems.append(f"{who} {name}: {wrong}")
for p in problems:
    print("MISMATCH", p)
print("checked", len(set(theirs) & set(ours)))
with torch.no_grad():
    y = model(extra["input"].float())
print("scale", float(extra["output"].abs().max()), float(y.abs().max()))
