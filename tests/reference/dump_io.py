"""Reads the tensors MotivationDsl's tests dump for the compare_*.py scripts: DIR/index.txt lines
"name dtype d0,d1,..." ("-" for a scalar) and DIR/name.bin raw little-endian data (f32 or i64)."""
import os

import numpy as np
import torch


def read_dump(d):
    """Returns (state, extra): the state_dict tensors, and the input/output tensors by name."""
    state, extra = {}, {}
    for line in open(os.path.join(d, "index.txt")):
        name, dtype, shape = line.split()
        shape = [int(s) for s in shape.split(",") if s != ""] if shape != "-" else []
        arr = np.fromfile(os.path.join(d, name + ".bin"), dtype=np.float32 if dtype == "f32" else np.int64).reshape(shape)
        (extra if name in ("input", "output") else state)[name] = torch.from_numpy(arr.copy())
    return state, extra
