"""Why eval-mode logits of a briefly trained EfficientNet are ill-conditioned (issue 10, section 1), in torchvision alone.
Usage: python3 efficientnet_eval_scale.py [ARCH]   (default efficientnet_b2; 10 classes, one batch of 4 random 32x32 images)
For torchvision's own initialisation and for PyTorch's default initialisation (reset_parameters() on every layer, what
WeightInit.PyTorchDefault gives), prints the largest |logit| in eval mode at init, the losses of 3 SGD steps
(lr 0.05, momentum 0.9) on that batch, then the largest |logit| in eval mode, in eval mode after calibrating BatchNorm
(running statistics set to the batch's, momentum 1) and in train mode, and the largest |weight|."""
import sys

import torch
import torchvision

torch.set_num_threads(1)
arch = sys.argv[1] if len(sys.argv) > 1 else "efficientnet_b2"


def run(init):
    torch.manual_seed(5)
    m = getattr(torchvision.models, arch)(num_classes=10)
    if init == "pytorch-default":
        for layer in m.modules():
            if layer is not m and hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(17))
    y = torch.tensor([0, 1, 2, 3])
    m.eval()
    with torch.no_grad():
        at_init = m(x).abs().max().item()
    opt = torch.optim.SGD(m.parameters(), 0.05, momentum=0.9)
    m.train()
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        losses.append(round(loss.item(), 3))
    m.eval()
    with torch.no_grad():
        stale = m(x).abs().max().item()
        norms = [b for b in m.modules() if isinstance(b, torch.nn.BatchNorm2d)]
        for b in norms:
            b.momentum = 1.0
        m.train()
        train_mode = m(x).abs().max().item()  # also sets the running statistics to this batch's
        m.eval()
        calibrated = m(x).abs().max().item()
    wmax = max(p.abs().max().item() for p in m.parameters())
    print(f"{arch} {init}: eval |logit| at init {at_init:.3g}; losses {losses}; after 3 steps: eval {stale:.3g}, "
          f"eval with calibrated BatchNorm {calibrated:.3g}, train mode {train_mode:.3g}; max |weight| {wmax:.3g}")


for init in ("torchvision", "pytorch-default"):
    run(init)
