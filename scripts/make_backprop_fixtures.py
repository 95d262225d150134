#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures for the Backprop Swift tests.

What this is
------------
``Tests/BackpropTests/OptimizerTests.swift`` runs our SGD, Adam and AdamW on
three parameters with fixed gradients and compares every step with PyTorch's
``torch.optim``. This script writes, under ``Tests/BackpropTests/Fixtures/optim/``:

    <param>.npy                    the starting values: "blocks.0.ffn.up.weight" [3, 4],
                                   "blocks.0.ffn.up.bias" [4], "wte.weight" [5, 3] (float64)
    grad_<step>_<param>.npy        the gradient fed at step 0…3
    <optimizer>_<step>_<param>.npy the parameter after that step, for
        sgd    SGD(lr=0.1, momentum=0.9, weight_decay=0.01)
        adam   Adam(lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
        adamw  AdamW(lr=0.05, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1) with weight decay on
               the matrix only (not the bias, not the embedding): our default

Everything is float64, so the comparison can be tight. Every run deletes the
folder and writes it again; the output is deterministic.

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install numpy==2.4.6 torch==2.15.0 \\
        && .venv/bin/python scripts/make_backprop_fixtures.py
"""

import shutil
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent.parent / "Tests" / "BackpropTests" / "Fixtures" / "optim"
NAMES = {"blocks.0.ffn.up.weight": (3, 4), "blocks.0.ffn.up.bias": (4,), "wte.weight": (5, 3)}
STEPS = 4


def main():
    torch.set_num_threads(1)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    g = torch.Generator().manual_seed(3)
    start = {n: torch.randn(s, generator=g, dtype=torch.float64) for n, s in NAMES.items()}
    grads = [{n: torch.randn(s, generator=g, dtype=torch.float64) for n, s in NAMES.items()} for _ in range(STEPS)]
    for n, v in start.items():
        np.save(OUT / f"{n}.npy", v.numpy())
    for step, gs in enumerate(grads):
        for n, v in gs.items():
            np.save(OUT / f"grad_{step}_{n}.npy", v.numpy())

    def run(name, make):
        params = {n: torch.nn.Parameter(v.clone()) for n, v in start.items()}
        optimizer = make(params)
        for step in range(STEPS):
            for n, p in params.items():
                p.grad = grads[step][n].clone()
            optimizer.step()
            for n, p in params.items():
                np.save(OUT / f"{name}_{step}_{n}.npy", p.detach().numpy())

    run("sgd", lambda p: torch.optim.SGD(p.values(), lr=0.1, momentum=0.9, weight_decay=0.01))
    run("adam", lambda p: torch.optim.Adam(p.values(), lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01))
    run("adamw", lambda p: torch.optim.AdamW(
        [{"params": [p["blocks.0.ffn.up.weight"]], "weight_decay": 0.1},
         {"params": [p["blocks.0.ffn.up.bias"], p["wte.weight"]], "weight_decay": 0.0}],
        lr=0.05, betas=(0.9, 0.95), eps=1e-8))
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT}")


if __name__ == "__main__":
    main()
