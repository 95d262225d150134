#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures for the NN Swift tests.

What this is
------------
Each test in ``Tests/NNTests`` builds one of our layers, loads the weights a
PyTorch layer was given, runs the same input, and compares the output. This
script builds those PyTorch layers with fixed seeds and writes, per case, a
folder of ``.npy`` files under

    Tests/NNTests/Fixtures/torch/<case>/

    input.npy, output.npy        float32 (other inputs by name: memory.npy, ...)
    <parameter name>.npy         every weight, under *our* parameter name
                                 (``attn.qkv.weight.npy`` for PyTorch's
                                 ``self_attn.in_proj_weight``), so the test
                                 also checks our hierarchical names
    weights.npy                  attention weights [B, NH, Tq, Tk], where asked

Where PyTorch has the module itself, the fixture uses it
(``nn.TransformerEncoderLayer`` / ``nn.TransformerDecoderLayer`` with
``norm_first`` for pre- and post-norm blocks, ``nn.MultiheadAttention``,
``nn.LayerNorm``, ``nn.RMSNorm``, ``F.gelu``, ``F.scaled_dot_product_attention``);
where it does not (RoPE, the sinusoidal table, the gated feed-forward
networks), the formula is written out in torch below, next to the case.

The output folder is found relative to this file. Every run deletes it and
writes everything again; the output is deterministic (fixed seeds, CPU,
float32 except where noted).

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-bench.txt \
        && .venv/bin/python scripts/make_nn_fixtures.py
"""

import math
import shutil
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = Path(__file__).resolve().parent.parent / "Tests" / "NNTests" / "Fixtures" / "torch"


def save_case(case, arrays):
    """Write each named array of ``arrays`` as ``<case>/<name>.npy`` (float32 unless integer)."""
    folder = OUT_DIR / case
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in arrays.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        value = np.asarray(value)
        if value.dtype.kind == "f":
            value = value.astype(np.float32)
        np.save(folder / f"{name}.npy", value, allow_pickle=False)


def randomize(module, seed):
    """Give every parameter of ``module`` values from N(0, 0.5²) (so LayerNorm's γ, β are not 1 and 0)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    return module


def data(shape, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g) * scale


def causal_mask(tq, tk):
    """0 where query i (at position tk - tq + i) may see key j, -inf elsewhere: [tq, tk]."""
    past = tk - tq
    mask = torch.zeros(tq, tk)
    for i in range(tq):
        mask[i, past + i + 1:] = float("-inf")
    return mask


def padding_mask(lengths, max_len):
    """Our createPaddingMask: [B, 1, 1, max_len], -inf past each length."""
    mask = torch.zeros(len(lengths), 1, 1, max_len)
    for b, n in enumerate(lengths):
        mask[b, 0, 0, n:] = float("-inf")
    return mask


def mha_parameters(attn, prefix=""):
    """nn.MultiheadAttention's parameters under our names."""
    return {
        prefix + "qkv.weight": attn.in_proj_weight,
        prefix + "qkv.bias": attn.in_proj_bias,
        prefix + "proj.weight": attn.out_proj.weight,
        prefix + "proj.bias": attn.out_proj.bias,
    }


def linear_cases():
    layer = randomize(nn.Linear(6, 5), 1)
    x = data((2, 3, 6), 2)
    save_case("linear", {"input": x, "output": layer(x), "weight": layer.weight, "bias": layer.bias})
    layer = randomize(nn.Linear(6, 5, bias=False), 3)
    save_case("linear_nobias", {"input": x, "output": layer(x), "weight": layer.weight})


def norm_cases():
    x = data((2, 3, 8), 4, scale=3.0) + 1.5
    ln = randomize(nn.LayerNorm(8, eps=1e-5), 5)
    save_case("layernorm", {"input": x, "output": ln(x), "weight": ln.weight, "bias": ln.bias})
    rms = randomize(nn.RMSNorm(8, eps=1e-6), 6)
    save_case("rmsnorm", {"input": x, "output": rms(x), "weight": rms.weight})


def gelu_cases():
    x = torch.linspace(-6, 6, 241)
    save_case("gelu", {"input": x, "output": F.gelu(x), "output_tanh": F.gelu(x, approximate="tanh")})


def ffn_cases():
    x = data((2, 3, 8), 7)
    for variant in ["standard", "glu", "swiglu"]:
        up = randomize(nn.Linear(8, 12), 8)
        gate = randomize(nn.Linear(8, 12), 9)
        down = randomize(nn.Linear(12, 8), 10)
        if variant == "standard":
            y = down(F.gelu(up(x)))
        elif variant == "glu":
            y = down(torch.sigmoid(gate(x)) * up(x))
        else:
            y = down(F.silu(gate(x)) * up(x))
        arrays = {"input": x, "output": y, "up.weight": up.weight, "up.bias": up.bias,
                  "down.weight": down.weight, "down.bias": down.bias}
        if variant != "standard":
            arrays.update({"gate.weight": gate.weight, "gate.bias": gate.bias})
        save_case(f"ffn_{variant}", arrays)


def positional_cases():
    for dim in [16, 15]:
        # The table computed in float64, then rounded once, as ours is.
        position = torch.arange(50, dtype=torch.float64)[:, None]
        div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * -(math.log(10000.0) / dim))
        table = torch.zeros(50, dim, dtype=torch.float64)
        table[:, 0::2] = torch.sin(position * div)
        table[:, 1::2] = torch.cos(position * div)[:, : dim // 2]
        save_case(f"sinusoidal_{dim}", {"output": table})


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def rope_cases():
    # The "rotate half" RoPE of GPT-NeoX / LLaMA in Hugging Face, written out; positions 4..<9.
    hs, offset = 8, 4
    x = data((2, 3, 5, hs), 11)
    inv_freq = 1.0 / (10000 ** (torch.arange(0, hs, 2, dtype=torch.float64) / hs))
    positions = torch.arange(offset, offset + 5, dtype=torch.float64)
    angles = positions[:, None] * inv_freq[None, :]
    emb = torch.cat([angles, angles], dim=-1)
    y = x.double() * emb.cos() + rotate_half(x.double()) * emb.sin()
    save_case("rope", {"input": x, "output": y, "offset": np.array([offset], dtype=np.int64)})


def attention_weights(q, k, mask):
    """softmax(q·kᵀ/√HS + mask), the weights that F.scaled_dot_product_attention uses internally."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    return torch.softmax(scores, dim=-1)


def mha_case(name, query, memory, mask, key_padding=None, causal=None):
    """Our MultiHeadAttention against F.scaled_dot_product_attention and nn.MultiheadAttention."""
    c, nh = query.shape[-1], 4
    attn = randomize(nn.MultiheadAttention(c, nh, dropout=0.0, batch_first=True), 12)
    attn.eval()
    b, tq, tk = query.shape[0], query.shape[1], memory.shape[1]
    w, bias = attn.in_proj_weight, attn.in_proj_bias
    q = F.linear(query, w[:c], bias[:c]).view(b, tq, nh, c // nh).transpose(1, 2)
    k = F.linear(memory, w[c:2 * c], bias[c:2 * c]).view(b, tk, nh, c // nh).transpose(1, 2)
    v = F.linear(memory, w[2 * c:], bias[2 * c:]).view(b, tk, nh, c // nh).transpose(1, 2)
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    y = attn.out_proj(heads.transpose(1, 2).reshape(b, tq, c))
    weights = attention_weights(q, k, mask)
    # PyTorch's own module, with the same mask in its own form, must agree.
    causal_bool = None if causal is None else torch.isinf(causal)   # True: may not attend
    y2, w2 = attn(query, memory, memory, attn_mask=causal_bool, key_padding_mask=key_padding,
                  average_attn_weights=False)
    assert torch.allclose(y, y2, atol=1e-5), name
    assert torch.allclose(weights, w2, atol=1e-6), name
    arrays = {"input": query, "output": y, "weights": weights, **mha_parameters(attn)}
    if memory is not query:
        arrays["memory"] = memory
    save_case(name, arrays)


def attention_cases():
    x = data((2, 5, 16), 13)
    causal = causal_mask(5, 5)
    mha_case("mha_causal", x, x, causal, causal=causal)
    lengths = [5, 3]
    pad = padding_mask(lengths, 5)
    key_padding = torch.tensor([[j >= n for j in range(5)] for n in lengths])
    mha_case("mha_padding", x, x, pad, key_padding=key_padding)
    mha_case("mha_causal_padding", x, x, causal + pad, key_padding=key_padding, causal=causal)
    # Cross-attention: 4 target tokens read 7 source tokens, the second source padded after 5.
    memory = data((2, 7, 16), 14)
    source_lengths = [7, 5]
    memory_pad = padding_mask(source_lengths, 7)
    memory_key_padding = torch.tensor([[j >= n for j in range(7)] for n in source_lengths])
    mha_case("mha_cross", x[:, :4], memory, memory_pad, key_padding=memory_key_padding)


def encoder_parameters(layer):
    return {**mha_parameters(layer.self_attn, "attn."),
            "ln1.weight": layer.norm1.weight, "ln1.bias": layer.norm1.bias,
            "ln2.weight": layer.norm2.weight, "ln2.bias": layer.norm2.bias,
            "ffn.up.weight": layer.linear1.weight, "ffn.up.bias": layer.linear1.bias,
            "ffn.down.weight": layer.linear2.weight, "ffn.down.bias": layer.linear2.bias}


def block_cases():
    x = data((2, 5, 16), 15)
    causal = causal_mask(5, 5)
    for placement, norm_first in [("pre", True), ("post", False)]:
        layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=norm_first)
        randomize(layer, 16)
        layer.eval()
        y = layer(x, src_mask=causal)
        save_case(f"block_{placement}", {"input": x, "output": y, **encoder_parameters(layer)})

    memory = data((2, 7, 16), 17)
    target = x[:, :4]
    memory_pad = padding_mask([7, 5], 7)
    memory_key_padding = torch.tensor([[j >= n for j in range(7)] for n in [7, 5]])
    for placement, norm_first in [("pre", True), ("post", False)]:
        layer = nn.TransformerDecoderLayer(16, 4, dim_feedforward=32, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=norm_first)
        randomize(layer, 18)
        layer.eval()
        y = layer(target, memory, tgt_mask=causal_mask(4, 4), memory_key_padding_mask=memory_key_padding)
        params = {**mha_parameters(layer.self_attn, "selfAttn."), **mha_parameters(layer.multihead_attn, "crossAttn."),
                  "ln1.weight": layer.norm1.weight, "ln1.bias": layer.norm1.bias,
                  "ln2.weight": layer.norm2.weight, "ln2.bias": layer.norm2.bias,
                  "ln3.weight": layer.norm3.weight, "ln3.bias": layer.norm3.bias,
                  "ffn.up.weight": layer.linear1.weight, "ffn.up.bias": layer.linear1.bias,
                  "ffn.down.weight": layer.linear2.weight, "ffn.down.bias": layer.linear2.bias}
        save_case(f"decoder_{placement}", {"input": target, "memory": memory, "output": y,
                                           "memory_mask": memory_pad, **params})


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    linear_cases()
    norm_cases()
    gelu_cases()
    ffn_cases()
    positional_cases()
    rope_cases()
    attention_cases()
    block_cases()
    count = sum(1 for _ in OUT_DIR.rglob("*.npy"))
    size = sum(p.stat().st_size for p in OUT_DIR.rglob("*.npy"))
    print(f"wrote {count} files ({size / 1024:.0f} KB) to {OUT_DIR}")


if __name__ == "__main__":
    main()
