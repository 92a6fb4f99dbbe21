"""Loads tensors dumped by MotivationDsl.Tests (the TinyGpt test fixture, nanoGPT layout) into nanoGPT's GPT
(nanogpt_model.py) with load_state_dict(strict=True) -- every state_dict key and shape must match -- and compares the
logits of every position and the mean next-token loss with TorchSharp's.
Usage: python3 compare_nanogpt.py DIR N_LAYER N_HEAD N_EMBD BLOCK_SIZE VOCAB [tied|untied]
(untied by default: the head gets its own parameter before loading; tied: nanoGPT's default, the state_dict must hold
transformer.wte.weight and lm_head.weight with equal values, and they stay one tensor after the load)
DIR holds index.txt lines "name dtype d0,d1,..." and name.bin raw little-endian data, plus input.bin (token ids [B, T+1]:
the first T are the model input, the last T the targets) and output.bin (TorchSharp's logits [B, T, V])."""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from nanogpt_model import GPT, GPTConfig  # noqa: E402
from dump_io import read_dump  # noqa: E402

d = sys.argv[1]
n_layer, n_head, n_embd, block_size, vocab = (int(a) for a in sys.argv[2:7])
tied = len(sys.argv) > 7 and sys.argv[7] == "tied"
state, extra = read_dump(d)
model = GPT(GPTConfig(block_size=block_size, vocab_size=vocab, n_layer=n_layer, n_head=n_head, n_embd=n_embd, dropout=0.0, bias=True))
if tied:
    assert torch.equal(state["lm_head.weight"], state["transformer.wte.weight"]), "tied weights differ in the state_dict"
else:
    # An untied head (the test fixture's): give nanoGPT's lm_head its own parameter before loading.
    model.lm_head.weight = nn.Parameter(model.lm_head.weight.detach().clone())
model.load_state_dict(state, strict=True)
assert (model.lm_head.weight is model.transformer.wte.weight) == tied
model.eval()
tokens = extra["input"]
with torch.no_grad():
    logits, loss = model(tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous())
print("scale", float(logits.abs().max()))
print("maxdiff", float((logits - extra["output"]).abs().max()))
print("loss", float(loss))
