"""Parameter counts of nanoGPT's GPT (nanogpt_model.py, PyTorch) for the variants of examples/Gpt, with the head tied to
the token embedding (nanoGPT's default) and untied (lm_head given its own parameter). A tied weight counts once, as
sum(p.numel() for p in model.parameters()) counts it. Buffers (the causal masks) are not parameters.
Usage: python3 nanogpt_counts.py > nanogpt_counts.json"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from nanogpt_model import GPT, GPTConfig  # noqa: E402

# name: (n_layer, n_head, n_embd, block_size, vocab_size), as declared in examples/Gpt/Gpt.cs.
VARIANTS = {
    "ByteBase": (2, 4, 128, 128, 256),
    "ByteDeep": (6, 4, 128, 128, 256),
    "ByteWide": (4, 8, 256, 128, 256),
    "Gpt2Small": (12, 12, 768, 1024, 50257),
    "Gpt2Medium": (24, 16, 1024, 1024, 50257),
}

counts = {}
with torch.no_grad():
    for name, (n_layer, n_head, n_embd, block_size, vocab) in VARIANTS.items():
        model = GPT(GPTConfig(block_size=block_size, vocab_size=vocab, n_layer=n_layer, n_head=n_head, n_embd=n_embd, bias=True))
        tied = sum(p.numel() for p in model.parameters())
        model.lm_head.weight = nn.Parameter(model.lm_head.weight.detach().clone())
        untied = sum(p.numel() for p in model.parameters())
        counts[name] = {"tied": tied, "untied": untied}
        del model
print(json.dumps({"torch": torch.__version__, "parameters": counts}, indent=2))
