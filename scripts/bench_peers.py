#!/usr/bin/env python3
"""Runs the bench cases beside NumPy (and PyTorch when installed) on this machine.

    swift build -c release --product bench
    python3 scripts/bench_peers.py [--rounds 3] [--filter gemm] [--threads 1,2]

    # also the portable build, in the same alternation:
    swift build -c release --disable-default-traits --scratch-path .build-portable --product bench
    python3 scripts/bench_peers.py --portable .build-portable/release/bench

Reads the cases from `bench --list --json`, then alternates whole runs:
ours, NumPy, PyTorch, ours, NumPy, PyTorch, ... so that drift in the machine's
speed hits every side alike. Prints, per case and thread count, the median of
each side over the rounds and our ratio to each peer (above 1: we are faster).

The peers run in fresh processes without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
(which hold OpenBLAS below the CPU's widest kernels), printing the kernel
threadpoolctl reports, and with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS set to the thread count (NumPy reads them at import) and
torch.set_num_threads. Each case is timed as the bench times it: two warm-up
runs, then runs until 0.25 s have passed (5 to 200), the median.
Needs numpy (and optionally torch) from PyPI; see scripts/requirements-bench.txt.

The GPT-2 cases (kinds gpt2_*) time a GPT-2 124M with random weights: PyTorch
through Hugging Face transformers (pip install transformers==5.24.0; without it
those cases are left out of the torch column), NumPy for the forward pass only
(picoGPT-style, float32). Each worker builds the model once and reuses it for
every GPT-2 case. Their rates: gpt2_forward in tok/s (B·T per run),
gpt2_generate in tok/s (new tokens per run), gpt2_decode_step in tok/s (one
token per run, so 1000 / rate is ms per step), gpt2_load in loads/s. These take
tens of milliseconds to seconds a run, so the loop above times them 5 to about
10 times, never 200.

    python3 scripts/bench_peers.py --selftest-gpt2 [--threads 2]

times the GPT-2 peer bodies directly (no bench executable needed) and prints
the figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def median_seconds(body):
    body()
    body()
    times = []
    total = 0.0
    while len(times) < 5 or (total < 0.25 and len(times) < 200):
        start = time.perf_counter()
        body()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        total += elapsed
    return sorted(times)[len(times) // 2]


def work_per_run(case):
    d = case["dims"]
    kind = case["kind"]
    if kind in ("gemm", "gemm_wt", "gemm_ta"):
        return 2 * d[0] * d[1] * d[2] / 1e9
    if kind == "add":
        return 3 * d[0] * 4 / 1e9
    if kind == "scalar_mul":
        return 2 * d[0] * 4 / 1e9
    if kind == "broadcast_add":
        return (2 * d[0] * d[1] + d[1]) * 4 / 1e9
    if kind in ("softmax", "layernorm", "sum_rows", "max_rows", "sum_columns"):
        return d[0] / 1e3
    if kind in ("block", "block_matmuls"):
        return d[0] * d[1] / 1e3
    if kind == "gpt2_forward":
        return d[0] * d[1]                # tok/s
    if kind == "gpt2_generate":
        return d[1]                       # new tok/s
    if kind == "gpt2_decode_step":
        return 1                          # tok/s (one token per run)
    if kind == "gpt2_load":
        return 1                          # loads/s
    if kind in ("train_step", "train_forward", "train_gradients", "train_update", "attention_train"):
        return 1                          # steps/s
    return None


def numpy_body(case, rng):
    import numpy as np
    d = case["dims"]
    kind = case["kind"]
    f32 = np.float32
    if kind == "gemm":
        a = rng.uniform(-1, 1, (d[0], d[1])).astype(f32)
        b = rng.uniform(-1, 1, (d[1], d[2])).astype(f32)
        return lambda: a @ b
    if kind == "gemm_wt":
        a = rng.uniform(-1, 1, (d[0], d[1])).astype(f32)
        w = rng.uniform(-1, 1, (d[2], d[1])).astype(f32)
        return lambda: a @ w.T
    if kind == "gemm_ta":
        a = rng.uniform(-1, 1, (d[1], d[0])).astype(f32)
        b = rng.uniform(-1, 1, (d[1], d[2])).astype(f32)
        return lambda: a.T @ b
    if kind == "add":
        a, b = rng.random(d[0], dtype=f32), rng.random(d[0], dtype=f32)
        return lambda: a + b
    if kind == "scalar_mul":
        a = rng.random(d[0], dtype=f32)
        return lambda: a * f32(2)
    if kind == "broadcast_add":
        x, row = rng.random((d[0], d[1]), dtype=f32), rng.random(d[1], dtype=f32)
        return lambda: x + row
    if kind == "softmax":
        x = rng.standard_normal((d[0], d[1]), dtype=f32)

        def softmax():
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return softmax
    if kind == "layernorm":
        x = rng.standard_normal((d[0], d[1]), dtype=f32)
        w, b = rng.random(d[1], dtype=f32), rng.random(d[1], dtype=f32)
        eps = f32(1e-5)

        def layernorm():
            mean = x.mean(axis=-1, keepdims=True)
            var = x.var(axis=-1, keepdims=True)
            return (x - mean) / np.sqrt(var + eps) * w + b
        return layernorm
    if kind in ("sum_rows", "max_rows"):
        x = rng.standard_normal((d[0], d[1]), dtype=f32)
        return (lambda: x.sum(axis=-1)) if kind == "sum_rows" else (lambda: x.max(axis=-1))
    if kind == "sum_columns":
        x = rng.standard_normal((d[0], d[1]), dtype=f32)
        return lambda: x.sum(axis=0)
    if kind in ("block", "block_matmuls"):
        return numpy_block(d, rng, kind == "block_matmuls")
    if kind == "gpt2_forward":
        return numpy_gpt2_forward(d, rng)
    return None


def numpy_block(d, rng, matmuls_only):
    """A pre-norm GPT-2 block in picoGPT's style (float32 throughout), or only its six products."""
    import numpy as np
    b, t, c, nh = d
    hs = c // nh
    f32 = np.float32
    w = {name: (rng.standard_normal(shape, dtype=f32) * 0.02).astype(f32) for name, shape in
         [("qkv", (c, 3 * c)), ("proj", (c, c)), ("up", (c, 4 * c)), ("down", (4 * c, c))]}
    x = rng.standard_normal((b, t, c), dtype=f32)
    mask = np.triu(np.full((t, t), -np.inf, dtype=f32), 1)

    def ln(v):
        m = v.mean(-1, keepdims=True)
        return (v - m) / np.sqrt(v.var(-1, keepdims=True) + f32(1e-5))

    def gelu(v):
        return f32(0.5) * v * (f32(1) + np.tanh(f32(0.7978845608) * (v + f32(0.044715) * v ** 3)))

    def block():
        qkv = ln(x) @ w["qkv"]
        q, k, v = (qkv[..., i * c:(i + 1) * c].reshape(b, t, nh, hs).transpose(0, 2, 1, 3) for i in range(3))
        s = q @ k.transpose(0, 1, 3, 2) / f32(np.sqrt(hs)) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        h = x + a.transpose(0, 2, 1, 3).reshape(b, t, c) @ w["proj"]
        return h + gelu(ln(h) @ w["up"]) @ w["down"]

    q4 = rng.standard_normal((b, nh, t, hs), dtype=f32)
    p4 = rng.standard_normal((b, nh, t, t), dtype=f32)
    hidden = rng.standard_normal((b, t, 4 * c), dtype=f32)

    def products():
        return (x @ w["qkv"], q4 @ q4.transpose(0, 1, 3, 2), p4 @ q4, x @ w["proj"], x @ w["up"], hidden @ w["down"])

    return products if matmuls_only else block


_NUMPY_GPT2 = {}


def numpy_gpt2_weights(rng):
    """GPT-2 124M in picoGPT's layout, float32, weights N(0, 0.02²), biases 0, LayerNorms 1 and 0; built once."""
    import numpy as np
    if "params" not in _NUMPY_GPT2:
        f32 = np.float32
        v, n_ctx, c, n_layer = 50257, 1024, 768, 12

        def normal(*shape):
            return (rng.standard_normal(shape, dtype=f32) * f32(0.02)).astype(f32)

        def norm():
            return {"g": np.ones(c, dtype=f32), "b": np.zeros(c, dtype=f32)}

        blocks = [{"ln_1": norm(), "ln_2": norm(),
                   "attn": {"c_attn": {"w": normal(c, 3 * c), "b": np.zeros(3 * c, dtype=f32)},
                            "c_proj": {"w": normal(c, c), "b": np.zeros(c, dtype=f32)}},
                   "mlp": {"c_fc": {"w": normal(c, 4 * c), "b": np.zeros(4 * c, dtype=f32)},
                           "c_proj": {"w": normal(4 * c, c), "b": np.zeros(c, dtype=f32)}}}
                  for _ in range(n_layer)]
        _NUMPY_GPT2["params"] = {"wte": normal(v, c), "wpe": normal(n_ctx, c), "blocks": blocks, "ln_f": norm(),
                                 "n_head": 12}
    return _NUMPY_GPT2["params"]


def numpy_gpt2_forward(d, rng):
    """picoGPT's gpt2(): embeddings, 12 pre-norm blocks, final LayerNorm, tied lm head → logits [B, T, V]."""
    import numpy as np
    f32 = np.float32
    p = numpy_gpt2_weights(rng)
    b, t = d
    ids = rng.integers(0, p["wte"].shape[0], (b, t))
    nh = p["n_head"]
    mask = np.triu(np.full((t, t), -1e10, dtype=f32), 1)

    def ln(x, g):
        m = x.mean(-1, keepdims=True)
        return (x - m) / np.sqrt(x.var(-1, keepdims=True) + f32(1e-5)) * g["g"] + g["b"]

    def gelu(x):
        return f32(0.5) * x * (f32(1) + np.tanh(f32(0.7978845608) * (x + f32(0.044715) * x ** 3)))

    def linear(x, w):
        return x @ w["w"] + w["b"]

    def attention(x, a):
        c = x.shape[-1]
        hs = c // nh
        qkv = linear(x, a["c_attn"])
        q, k, v = (qkv[..., i * c:(i + 1) * c].reshape(b, t, nh, hs).transpose(0, 2, 1, 3) for i in range(3))
        s = q @ k.transpose(0, 1, 3, 2) / f32(np.sqrt(hs)) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        heads = (s / s.sum(-1, keepdims=True)) @ v
        return linear(heads.transpose(0, 2, 1, 3).reshape(b, t, c), a["c_proj"])

    def forward():
        x = p["wte"][ids] + p["wpe"][:t]
        for block in p["blocks"]:
            x = x + attention(ln(x, block["ln_1"]), block["attn"])
            x = x + linear(gelu(linear(ln(x, block["ln_2"]), block["mlp"]["c_fc"])), block["mlp"]["c_proj"])
        return ln(x, p["ln_f"]) @ p["wte"].T

    return forward


def torch_body(case, rng):
    import torch
    d = case["dims"]
    kind = case["kind"]
    g = torch.Generator().manual_seed(0)
    if kind == "gemm":
        a = torch.rand(d[0], d[1], generator=g) * 2 - 1
        b = torch.rand(d[1], d[2], generator=g) * 2 - 1
        return lambda: a @ b
    if kind == "gemm_ta":
        a = torch.rand(d[1], d[0], generator=g) * 2 - 1
        b = torch.rand(d[1], d[2], generator=g) * 2 - 1
        return lambda: a.t() @ b
    if kind == "gemm_wt":
        a = torch.rand(d[0], d[1], generator=g) * 2 - 1
        w = torch.rand(d[2], d[1], generator=g) * 2 - 1
        return lambda: torch.nn.functional.linear(a, w)
    if kind == "add":
        a, b = torch.rand(d[0], generator=g), torch.rand(d[0], generator=g)
        return lambda: a + b
    if kind == "scalar_mul":
        a = torch.rand(d[0], generator=g)
        return lambda: a * 2
    if kind == "broadcast_add":
        x, row = torch.rand(d[0], d[1], generator=g), torch.rand(d[1], generator=g)
        return lambda: x + row
    if kind == "softmax":
        x = torch.randn(d[0], d[1], generator=g)
        return lambda: torch.softmax(x, dim=-1)
    if kind == "layernorm":
        x = torch.randn(d[0], d[1], generator=g)
        w, b = torch.rand(d[1], generator=g), torch.rand(d[1], generator=g)
        return lambda: torch.nn.functional.layer_norm(x, (d[1],), w, b, 1e-5)
    if kind in ("sum_rows", "max_rows"):
        x = torch.randn(d[0], d[1], generator=g)
        return (lambda: x.sum(dim=-1)) if kind == "sum_rows" else (lambda: x.amax(dim=-1))
    if kind == "sum_columns":
        x = torch.randn(d[0], d[1], generator=g)
        return lambda: x.sum(dim=0)
    if kind in ("block", "block_matmuls"):
        return torch_block(d, g, kind == "block_matmuls")
    if kind.startswith("gpt2_"):
        return torch_gpt2(case)
    if kind in ("train_step", "train_forward", "train_gradients", "train_update"):
        return torch_train_step(d, kind[6:])
    if kind == "attention_train":
        import torch.nn.functional as F
        q, k, v = (torch.randn(*d, generator=g).requires_grad_() for _ in range(3))
        d_out = torch.randn(*d, generator=g)

        def attention():
            with torch.enable_grad():
                out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                out.backward(d_out)
            return out
        return attention
    return None


def torch_train_step(d, part="step"):
    """One nanoGPT training iteration: forward + loss, backward, clip_grad_norm_(1.0), AdamW (decay on matrices).
    part "forward": the forward and loss alone (no_grad); "gradients": forward and backward, no optimizer;
    "update": clipping and the AdamW step alone."""
    import math
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    layers, heads, width, t, b, vocab = d
    gpt2 = vocab > 1000                   # GPT-2 124M: biases, GELU tanh; shakespeare-char: no biases, exact GELU

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(width, bias=gpt2), nn.LayerNorm(width, bias=gpt2)
            self.c_attn, self.attn_proj = nn.Linear(width, 3 * width, bias=gpt2), nn.Linear(width, width, bias=gpt2)
            self.c_fc, self.mlp_proj = nn.Linear(width, 4 * width, bias=gpt2), nn.Linear(4 * width, width, bias=gpt2)

        def forward(self, x):
            bb, tt, cc = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(width, dim=2)
            q, k, v = (z.view(bb, tt, heads, cc // heads).transpose(1, 2) for z in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).contiguous().view(bb, tt, cc)
            x = x + self.attn_proj(y)
            h = F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh" if gpt2 else "none")
            return x + self.mlp_proj(h)

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(max(t, 1024 if gpt2 else t), width)
            self.h = nn.ModuleList(Block() for _ in range(layers))
            self.ln_f = nn.LayerNorm(width, bias=gpt2)
            for name, p in self.named_parameters():
                if p.dim() >= 2:
                    std = 0.02 / math.sqrt(2 * layers) if name.endswith("proj.weight") else 0.02
                    nn.init.normal_(p, 0.0, std)

        def forward(self, idx, targets):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for block in self.h:
                x = block(x)
            logits = F.linear(self.ln_f(x), self.wte.weight)          # tied, as nanoGPT
            return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))

    torch.manual_seed(0)
    model = GPT()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": others, "weight_decay": 0.0}],
                                  lr=1e-4, betas=(0.9, 0.99))
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, vocab, (b, t + 1), generator=g)
    x, y = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()

    if part == "forward":
        return lambda: model(x, y)

    def gradients():
        with torch.enable_grad():
            loss = model(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
        return loss
    if part == "gradients":
        return gradients
    if part == "update":                  # clipping and AdamW on the gradients of one backward
        gradients()

        def update():
            with torch.enable_grad():
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
        return update

    def step():
        with torch.enable_grad():
            loss = model(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        return loss
    return step


def torch_block(d, g, matmuls_only):
    """nn.TransformerEncoderLayer as a pre-norm GPT-2 block (GELU tanh, causal mask), or its six products."""
    import torch
    import torch.nn.functional as F
    b, t, c, nh = d
    layer = torch.nn.TransformerEncoderLayer(c, nh, 4 * c, dropout=0.0, batch_first=True, norm_first=True,
                                             activation=lambda v: F.gelu(v, approximate="tanh")).eval()
    x = torch.randn(b, t, c, generator=g)
    mask = torch.triu(torch.full((t, t), float("-inf")), 1)
    if not matmuls_only:
        return lambda: layer(x, src_mask=mask)
    hs = c // nh
    q4, p4 = torch.randn(b, nh, t, hs, generator=g), torch.rand(b, nh, t, t, generator=g)
    hidden = torch.randn(b, t, 4 * c, generator=g)
    w_qkv, w_proj = layer.self_attn.in_proj_weight, layer.self_attn.out_proj.weight
    w_up, w_down = layer.linear1.weight, layer.linear2.weight
    return lambda: (F.linear(x, w_qkv), q4 @ q4.transpose(-1, -2), p4 @ q4, F.linear(x, w_proj),
                    F.linear(x, w_up), F.linear(hidden, w_down))


_TORCH_GPT2 = {}


def torch_gpt2_model():
    """transformers' GPT2LMHeadModel(GPT2Config()): GPT-2 124M, random init, eval mode; built once per process."""
    if "model" not in _TORCH_GPT2:
        import torch
        from transformers import GPT2Config, GPT2LMHeadModel
        from transformers.utils import logging as hf_logging
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.manual_seed(0)
        _TORCH_GPT2["model"] = GPT2LMHeadModel(GPT2Config()).eval()
    return _TORCH_GPT2["model"]


def torch_gpt2(case):
    """The GPT-2 124M bodies; None (left out) when transformers is not installed."""
    import torch
    try:
        import transformers  # noqa: F401
    except ImportError:
        return None
    d = case["dims"]
    kind = case["kind"]
    model = torch_gpt2_model()
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(1)
    if kind == "gpt2_forward":
        ids = torch.randint(0, vocab, (d[0], d[1]), generator=g)
        return lambda: model(ids, use_cache=False).logits      # as ours: no KV cache is built
    if kind == "gpt2_generate":
        ids = torch.randint(0, vocab, (1, d[0]), generator=g)
        mask = torch.ones_like(ids)

        def generate():
            out = model.generate(ids, attention_mask=mask, max_new_tokens=d[1], min_new_tokens=d[1],
                                 do_sample=False, use_cache=True, pad_token_id=0)
            assert out.shape[1] == d[0] + d[1]
            return out
        return generate
    if kind == "gpt2_decode_step":
        context = d[0]
        ids = torch.randint(0, vocab, (1, context), generator=g)
        # transformers 5.24 calls past_key_values `cache` (the old name still works, with a deprecation warning).
        import inspect
        name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        out = model(ids, use_cache=True)
        cache = getattr(out, name)                            # a DynamicCache, which grows in place
        next_id = torch.randint(0, vocab, (1, 1), generator=g)

        def step():
            logits = model(next_id, use_cache=True, **{name: cache}).logits
            cache.crop(context - cache.get_seq_length())      # a negative count: drop the token just added
            assert cache.get_seq_length() == context
            return logits
        return step
    if kind == "gpt2_load":
        import atexit
        import shutil
        import tempfile
        from transformers import GPT2LMHeadModel
        folder = tempfile.mkdtemp(prefix="bench-gpt2-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        model.save_pretrained(folder, safe_serialization=True)
        return lambda: GPT2LMHeadModel.from_pretrained(folder)
    return None


def selftest_gpt2(threads):
    """Times the GPT-2 peer bodies at the bench's dims in this process and prints their figures."""
    import torch
    torch.set_num_threads(threads)
    import numpy as np
    cases = [{"kind": "gpt2_forward", "dims": [1, 128]}, {"kind": "gpt2_generate", "dims": [16, 32]},
             *({"kind": "gpt2_decode_step", "dims": [n]} for n in (16, 256, 1000)), {"kind": "gpt2_load", "dims": []}]
    with torch.no_grad():
        for case in cases:
            seconds = median_seconds(torch_gpt2(case))
            print(f"torch {case['kind']:17} {str(case['dims']):9} {seconds * 1e3:9.2f} ms/run  "
                  f"{work_per_run(case) / seconds:9.2f} per s", flush=True)
    seconds = median_seconds(numpy_gpt2_forward([1, 128], np.random.default_rng(0)))
    print(f"numpy gpt2_forward      [1, 128]  {seconds * 1e3:9.2f} ms/run  {work_per_run({'kind': 'gpt2_forward', 'dims': [1, 128]}) / seconds:9.2f} per s")


def worker(peer, threads, cases_path):
    """Times every case with one peer at one thread count; prints JSON {name: rate}."""
    with open(cases_path) as f:
        cases = json.load(f)
    if peer == "torch":
        import torch
        torch.set_num_threads(threads)
        make = torch_body
        grad = torch.no_grad()
        grad.__enter__()
    else:
        make = numpy_body
    import numpy as np
    rng = np.random.default_rng(0)
    rates = {}
    for case in cases:
        work = work_per_run(case)
        body = make(case, rng)
        if body is None or work is None:
            continue
        rates[case["name"]] = work / median_seconds(body)
    import resource
    rates["__peak_mb__"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rates["__blas__"] = blas_kernel()
    print(json.dumps(rates))


def blas_kernel():
    """The BLAS library and the kernel it chose, as threadpoolctl reports them ("openblas Zen, 2 threads")."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see the kernel)"
    names = [f"{info.get('internal_api')} {info.get('architecture')}, {info.get('num_threads')} threads"
             for info in threadpool_info() if info.get("user_api") == "blas"]
    return "; ".join(names) or "no BLAS found"


def run_ours(bench, cases_filter, threads):
    args = [bench, "--json", "--threads", ",".join(map(str, threads))]
    for f in cases_filter:
        args += ["--filter", f]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    rates = {(r["name"], r["threads"]): r["value"] for r in data["results"]}
    rates[("__peak_mb__", 0)] = data["build"].get("peakMemoryMB", 0)
    return rates, data


# Settings that hold OpenBLAS below what the CPU can do (a machine may pin them, e.g.
# OPENBLAS_CORETYPE=Haswell keeps it to 256-bit kernels on an AVX-512 CPU). They are
# removed for the peer only: the comparison is with NumPy as a user's machine runs it.
BLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def run_peer(peer, threads, cases_path):
    env = dict(os.environ)
    for var in BLAS_PINS:
        env.pop(var, None)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    out = subprocess.run([sys.executable, __file__, "--worker", peer, "--worker-threads", str(threads),
                          "--cases", cases_path], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "bench"),
                        help="the bench executable (default: .build/release/bench)")
    parser.add_argument("--portable", help="a second bench executable (the portable build, --disable-default-traits) to time "
                        "in the same alternation, shown beside ours with its ratio to it")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--filter", action="append", default=[], help="only cases containing this text")
    parser.add_argument("--threads", default=None, help="thread counts, e.g. 1,2 (default: 1 and every core)")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    parser.add_argument("--selftest-gpt2", action="store_true",
                        help="time the GPT-2 peer bodies directly (first thread count of --threads, default 1)")
    args = parser.parse_args()

    if args.worker:
        worker(args.worker, args.worker_threads, args.cases)
        return
    if args.selftest_gpt2:
        t = int(args.threads.split(",")[0]) if args.threads else 1
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(t)
        selftest_gpt2(t)
        return

    if not os.access(args.bench, os.X_OK):
        sys.exit(f"bench_peers: {args.bench} is not an executable; build it first:\n"
                 "  swift build -c release --product bench")
    if args.portable and not os.access(args.portable, os.X_OK):
        sys.exit(f"bench_peers: {args.portable} is not an executable; build it first:\n"
                 "  swift build -c release --disable-default-traits --scratch-path .build-portable --product bench")
    threads = ([int(t) for t in args.threads.split(",")] if args.threads
               else sorted({1, os.cpu_count() or 1}))
    listing = [args.bench, "--list", "--json"]
    for f in args.filter:
        listing += ["--filter", f]
    cases = json.loads(subprocess.run(listing, check=True, capture_output=True, text=True).stdout)
    cases = [c for c in cases if work_per_run(c) is not None]
    cases_path = os.path.join(ROOT, ".build", "bench-cases.json")
    os.makedirs(os.path.dirname(cases_path), exist_ok=True)
    with open(cases_path, "w") as f:
        json.dump(cases, f)

    peers = ["numpy"]
    try:
        import torch  # noqa: F401
        peers.append("torch")
    except ImportError:
        print("(PyTorch is not installed: comparing with NumPy only)", file=sys.stderr)

    samples = {}  # (side, name, threads) -> [rates]
    peaks = {}    # side -> each run's peak resident memory in MB
    kernels = {}  # (peer, threads) -> the BLAS kernel it ran
    build = {}
    ceilings = {}  # (what, threads) -> each round's figure: our FMA peak (GFLOP/s), decode bound (tok/s)
    for round_index in range(args.rounds):
        print(f"round {round_index + 1}/{args.rounds} …", file=sys.stderr)
        ours, data = run_ours(args.bench, args.filter, threads)
        build = data["build"]
        for peak in data.get("fmaPeak", []):
            ceilings.setdefault(("fma", peak["threads"]), []).append(peak["GFLOPs"])
        for bound in data.get("decodeBound", []):
            ceilings.setdefault(("decode", bound["threads"]), []).append(bound["tokensPerSecond"])
        for (name, t), rate in ours.items():
            samples.setdefault(("ours", name, t), []).append(rate)
        peaks.setdefault("ours", []).append(ours.pop(("__peak_mb__", 0)))
        if args.portable:
            portable, _ = run_ours(args.portable, args.filter, threads)
            for (name, t), rate in portable.items():
                samples.setdefault(("portable", name, t), []).append(rate)
        for peer in peers:
            for t in threads:
                rates = run_peer(peer, t, cases_path)
                peaks.setdefault(peer, []).append(rates.pop("__peak_mb__"))
                kernels[(peer, t)] = rates.pop("__blas__")
                for name, rate in rates.items():
                    samples.setdefault((peer, name, t), []).append(rate)

    def med(side, name, t):
        values = samples.get((side, name, t))
        return statistics.median(values) if values else None

    rows = []
    for case in cases:
        for t in threads:
            row = {"name": case["name"], "unit": case["unit"], "threads": t, "ours": med("ours", case["name"], t)}
            if args.portable:
                row["portable"] = med("portable", case["name"], t)
            for peer in peers:
                row[peer] = med(peer, case["name"], t)
            rows.append(row)
    if args.json:
        print(json.dumps({"build": build, "rounds": args.rounds, "rows": rows,
                          "ceilings": {f"{what} {t}": statistics.median(v) for (what, t), v in sorted(ceilings.items())},
                          "blas": {f"{peer} {t}": kernel for (peer, t), kernel in sorted(kernels.items())},
                          "peakMemoryMB": {side: max(v) for side, v in peaks.items()}}, indent=2))
        return

    fma = "fused multiply-add" if build.get("fusedMultiplyAdd") else "no FMA (portable build)"
    width = f"{build.get('vectorBits', 256)}-bit GEMM vectors (the CPU has {build.get('cpuVectors', '?')})"
    print(f"medians of {args.rounds} alternating rounds; ours: {width}, {fma}; "
          "ratio = ours / peer (above 1: ours faster)")
    unpinned = ", ".join(v for v in BLAS_PINS if v in os.environ)
    for (peer, t), kernel in sorted(kernels.items()):
        print(f"{peer} on {t} thread(s): {kernel}" + (f" (with {unpinned} unset)" if unpinned else ""))
    if args.portable:
        print("portable: the portable build (--disable-default-traits), and how many times slower than ours it is")
    header = f"{'case':36} {'unit':9} {'thr':>3} {'ours':>9} {'numpy':>9} {'ratio':>6}"
    if "torch" in peers:
        header += f" {'torch':>9} {'ratio':>6}"
    if args.portable:
        header += f" {'portable':>9} {'slower':>6}"
    print(header)
    for row in rows:
        def cell(v):
            return f" {v:9.3f}" if v < 10 else f" {v:9.1f}"
        line = f"{row['name'][:36]:36} {row['unit']:9} {row['threads']:>3}" + cell(row['ours'])
        for peer in peers:
            theirs = row[peer]
            line += f"{cell(theirs)} {row['ours'] / theirs:6.2f}" if theirs else f" {'—':>9} {'':6}"
        if args.portable:
            line += f" {row['portable']:9.1f} {row['ours'] / row['portable']:6.2f}"
        print(line)
    for (what, t), values in sorted(ceilings.items()):
        ceiling = statistics.median(values)
        if what == "fma":
            print(f"multiply-add peak at {build.get('vectorBits', 256)} bits on {t} thread(s): {ceiling:.1f} GFLOP/s "
                  "(12 independent chains per thread)")
        else:
            reached = [f"{row['name'].replace('GPT-2 one step at ', '')} {row['ours'] / ceiling:.0%}" for row in rows
                       if row["threads"] == t and row["name"].startswith("GPT-2 one step")]
            print(f"decode bound on {t} thread(s): {ceiling:.1f} tok/s (weight bytes ÷ measured read bandwidth); "
                  "ours reached " + ", ".join(reached))
    # With one case filtered, a process's peak is that case's (a peer's worker also holds its interpreter).
    print("peak resident memory per process (MB): "
          + ", ".join(f"{side} {max(v):.0f}" for side, v in peaks.items() if v and side != "portable"))


if __name__ == "__main__":
    main()
