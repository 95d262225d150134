#!/usr/bin/env python3
"""Generate the Hugging Face / PyTorch reference fixtures for the GPT Swift tests.

What this is
------------
The tests in ``Tests/GPTTests`` load a checkpoint folder the way a user loads a
downloaded Hugging Face ``gpt2`` folder, read safetensors files, and run an
encoder-decoder Transformer; each compares with what Hugging Face / PyTorch
computed here. This script builds tiny random models with fixed seeds and
writes, under ``Tests/GPTTests/Fixtures/``:

gpt2_tiny/            a tiny random GPT-2, saved as a Hugging Face folder
    vocab.json, merges.txt       a byte-level BPE tokenizer (HF ``tokenizers``)
                                 trained on the text in ``TOKENIZER_TEXT``:
                                 320 tokens, ``<|endoftext|>`` is id 0 (not
                                 50256 as in the real GPT-2), 63 merges;
                                 ``merges.txt`` starts with ``#version: 0.2``
    config.json                  GPT2Config: vocab 320, n_positions 64, n_embd 32,
                                 n_layer 2, n_head 4, gelu_new, eps 1e-5,
                                 bos = eos = 0, tie_word_embeddings true
    generation_config.json       kept, as ``save_pretrained`` writes it (the
                                 real download has one too)
    model.safetensors            ``save_pretrained(safe_serialization=True)``
                                 with transformers 5.24.0. It holds, all float32,
                                 metadata {"format": "pt"}, these 28 keys:
                                     transformer.wte.weight         [320, 32]
                                     transformer.wpe.weight         [64, 32]
                                     transformer.h.{0,1}.ln_1.weight / .bias
                                     transformer.h.{0,1}.attn.c_attn.weight [32, 96] / .bias [96]
                                     transformer.h.{0,1}.attn.c_proj.weight [32, 32] / .bias
                                     transformer.h.{0,1}.ln_2.weight / .bias
                                     transformer.h.{0,1}.mlp.c_fc.weight    [32, 128] / .bias
                                     transformer.h.{0,1}.mlp.c_proj.weight  [128, 32] / .bias
                                     transformer.ln_f.weight / .bias
                                 i.e. WITH the "transformer." prefix, NO
                                 lm_head.weight (tied to wte), NO attn.bias /
                                 attn.masked_bias buffers. (The real
                                 openai-community/gpt2 file differs: no prefix,
                                 "h.0.attn.bias" causal-mask buffers stored.)
                                 Conv1D weights are [in, out].
    input_ids.npy                int64 [1, 11]: "The quick brown fox" (this
                                 little vocabulary splits it into 11 tokens)
    logits.npy                   float32 [1, 11, 320]: model(input_ids).logits
    batch_input_ids.npy          int64 [2, 15]: "The lazy dog sleeps in the
                                 sun" (15 tokens) and "A fox" (2 tokens),
                                 left-padded with the eos id 0
    batch_attention_mask.npy     int64 [2, 15]: 0 on the padding
    batch_logits.npy             float32 [2, 15, 320], with
                                 position_ids = clamp(attention_mask.cumsum(-1) - 1, 0)
                                 passed explicitly. Rows at padded positions
                                 (mask 0) are whatever HF computes there (the
                                 query sees no real key): compare only where
                                 the mask is 1.
    greedy_ids.npy               int64 [1, 11 + 12]: model.generate(input_ids,
                                 max_new_tokens=12, do_sample=False,
                                 pad_token_id=0); no eos is emitted, and every
                                 step's top logit leads the second by > 1e-3
    greedy_text.txt              the decoded full text (HF ByteLevel decoder),
                                 UTF-8, no trailing newline:
                                 "The quick brown fox fox****((((((("
                                 (the model seed is chosen for printable
                                 output, see GPT2_SEED)

gpt2_tiny_untied/     the same tokenizer files, config.json,
                      generation_config.json, model.safetensors of a GPT-2 with
                      n_embd 16, n_layer 1, n_head 2, tie_word_embeddings false,
                      so the file also holds "lm_head.weight" [320, 16] (no
                      prefix on that one); input_ids.npy, logits.npy as above.

    Both GPT-2s: torch.manual_seed then GPT2LMHeadModel(config) (HF's init:
    N(0, 0.02²)), then every LayerNorm weight = 1 + 0.1·randn, LayerNorm bias
    = 0.1·randn and every other bias = 0.05·randn, so that a tensor mapped to
    the wrong place changes the logits. The logits come from the model
    reloaded with from_pretrained, so the folder reproduces them.

safetensors/
    mixed.safetensors            written with safetensors.torch.save
                                 (numpy has no bfloat16), metadata
                                 {"format": "pt", "note": "fixture"} (the
                                 header rewritten with the metadata keys
                                 sorted, for a deterministic file):
                                 f32 F32 [2, 3], f16 F16 [4], bf16 BF16 [3],
                                 f64 F64 [2, 2], i64 I64 [3], scalar F32 [],
                                 empty F32 [0, 4]
    expected.json                {"metadata": {...}, "tensors": {name: {"dtype":
                                 "F32" (safetensors' names), "shape": [...],
                                 "values": [flat, row-major]}}}; float values
                                 are the stored values widened exactly to
                                 float64 (written with repr, so they round-trip)

seq2seq/              a pre-norm encoder-decoder Transformer (Vaswani-style),
                      mirroring our Swift model, all float32, no dropout:
    x_src = srcEmbedding(src) · 4 + PE[:S]        nn.Embedding(11, 16), 4 = √16
    memory = encoderNorm(encoder.1(encoder.0(x_src)))
        encoder.N = nn.TransformerEncoderLayer(16, 4, 32, relu, norm_first)
        src_key_padding_mask = (src == 0)
    x_tgt = tgtEmbedding(tgt) · 4 + PE[:T]        nn.Embedding(13, 16)
    h = decoderNorm(decoder.1(decoder.0(x_tgt, memory)))
        decoder.N = nn.TransformerDecoderLayer(16, 4, 32, relu, norm_first)
        tgt_mask causal, tgt_key_padding_mask = (tgt == 0),
        memory_key_padding_mask = (src == 0)
    logits = lmHead(h)                            nn.Linear(16, 13)
    PE[pos, 2i] = sin(pos / 10000^(2i/16)), PE[pos, 2i+1] = cos(same), in
    float64, rounded to float32 once. Pad id 0 on both sides, BOS 1, EOS 2.
    Parameters: weights N(0, 0.3²), LayerNorm weights 1 + 0.1·randn, biases
    0.1·randn (torch.Generator seed SEQ2SEQ_SEED). Files:
    <our name>.npy               every parameter under our name:
        srcEmbedding.weight [11, 16], tgtEmbedding.weight [13, 16],
        encoder.N.attn.qkv.weight [48, 16] / .bias (in_proj_*),
        encoder.N.attn.proj.weight / .bias (out_proj),
        encoder.N.ln1 / ln2 .weight / .bias (norm1 / norm2),
        encoder.N.ffn.up.weight [32, 16] / .bias (linear1),
        encoder.N.ffn.down.weight [16, 32] / .bias (linear2),
        encoderNorm.weight / .bias,
        decoder.N.selfAttn.qkv / proj .weight / .bias (self_attn),
        decoder.N.crossAttn.qkv / proj .weight / .bias (multihead_attn),
        decoder.N.ln1 / ln2 / ln3 .weight / .bias (norm1 / norm2 / norm3),
        decoder.N.ffn.up / down .weight / .bias,
        decoderNorm.weight / .bias, lmHead.weight [13, 16] / .bias
        (N = 0, 1; Linear weights are [out, in])
    src.npy        int64 [2, 7]: row 0 seven tokens from 3...10, row 1 five then two 0s
    tgt.npy        int64 [2, 5]: BOS first; row 1 four tokens then one 0
    memory.npy     float32 [2, 7, 16]: the encoder output after encoderNorm
                   (padded positions included; they are well defined)
    logits.npy     float32 [2, 5, 13]
    greedy.npy     int64 [2, L], L <= 9: greedy decoding from [BOS], re-running
                   the decoder over the whole prefix each step (no cache), up
                   to 8 new tokens; a row that emits EOS keeps it and is padded
                   with 0 afterwards; stops when every row has emitted EOS.
                   With this seed one row stops early with EOS, the other runs
                   all 8 steps; no step emits 0 or 1, and every step's top
                   logit leads the second by > 1e-3.

gpt2_tiny_grads/      the loss of two random token sequences under gpt2_tiny and
                      every parameter's gradient by PyTorch's autograd, under our
                      names (see ``gradients_case``)
sampling/             transformers' logits processors applied step by step to
                      fixed logits (see ``sampling_case``)

Every run deletes the six folders named here (only those) and writes them again;
the output is deterministic (fixed seeds, CPU, one thread, deterministic
algorithms, the PyTorch fast path of the Transformer layers turned off).

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-fixtures.txt \\
        && .venv/bin/python scripts/make_gpt_fixtures.py

scripts/requirements-fixtures.txt pins
    pip install numpy==2.4.6 torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3 safetensors==0.8.0
"""

import json
import math
import os
import shutil
import struct
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")        # tokenizers' trainer: one thread
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import save as torch_save
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer
from transformers.utils import logging as hf_logging

FIXTURES = Path(__file__).resolve().parent.parent / "Tests" / "GPTTests" / "Fixtures"
OUR_FOLDERS = ["gpt2_tiny", "gpt2_tiny_untied", "gpt2_tiny_grads", "safetensors", "seq2seq", "sampling"]

TOKENIZER_TEXT = """\
The quick brown fox jumps over the lazy dog. The dog does not mind; it sleeps in the
warm sun by the door, and the fox runs back into the woods before anyone sees it.

A language model reads text one token at a time. It looks at the tokens that came
before and guesses the next one. When the guess is good, the text it writes reads
like the text it was trained on. When the guess is poor, the words wander.

Tokens are not quite words. Common words become single tokens, while rare words are
broken into pieces, and every byte can still be written, so no text is ever out of
reach. The fox, the dog and the door are all common here, so they get tokens of
their own.
"""

PROMPT = "The quick brown fox"
BATCH_PROMPTS = ["The lazy dog sleeps in the sun", "A fox"]
GPT2_SEED = 124      # see gpt2_cases
SEQ2SEQ_SEED = 178   # see seq2seq_case: one row stops early with EOS, one runs 8 steps


def save_npy(folder, name, value):
    """``folder/name.npy``: float arrays as float32, integer arrays as int64."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    value = np.asarray(value)
    value = value.astype(np.float32 if value.dtype.kind == "f" else np.int64)
    np.save(folder / f"{name}.npy", value, allow_pickle=False)


def top_margin(logits):
    """The smallest gap between the best and second-best logit over the rows of ``logits`` [..., V]."""
    top2 = torch.topk(logits, 2, dim=-1).values
    return (top2[..., 0] - top2[..., 1]).min().item()


# ----------------------------------------------------------------------------- GPT-2


def train_tokenizer():
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=320, special_tokens=["<|endoftext|>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator([TOKENIZER_TEXT], trainer)
    return tokenizer


def perturb(model, seed):
    """LayerNorm weight 1 + 0.1·randn, LayerNorm bias 0.1·randn, every other bias 0.05·randn."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_norm = ".ln_" in name
            if is_norm and name.endswith(".weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_((0.1 if is_norm else 0.05) * torch.randn(p.shape, generator=g))


def build_gpt2(folder, tokenizer, seed, **sizes):
    """Builds, perturbs and saves a GPT-2 into ``folder`` (with the tokenizer files); returns it reloaded."""
    folder.mkdir(parents=True)
    tokenizer.model.save(str(folder))
    eos = tokenizer.token_to_id("<|endoftext|>")
    config = GPT2Config(vocab_size=tokenizer.get_vocab_size(), n_positions=64, bos_token_id=eos, eos_token_id=eos,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, activation_function="gelu_new",
                        layer_norm_epsilon=1e-5, **sizes)
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config)
    perturb(model, seed + 1)
    model.eval()
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "model.safetensors").chmod(0o644)          # written 0600
    reloaded = GPT2LMHeadModel.from_pretrained(folder).eval()
    for (name, a), (_, b) in zip(model.state_dict().items(), reloaded.state_dict().items()):
        assert torch.equal(a, b), name
    return reloaded


def safetensors_keys(path):
    with safe_open(str(path), "pt") as f:
        return {key: list(f.get_slice(key).get_shape()) for key in f.keys()}


def gpt2_cases():
    tokenizer = train_tokenizer()
    eos = tokenizer.token_to_id("<|endoftext|>")
    assert tokenizer.get_vocab_size() == 320 and eos == 0

    folder = FIXTURES / "gpt2_tiny"
    # Seed 124: the first even seed whose greedy continuation is printable ASCII (most random ones emit
    # lone UTF-8 lead bytes, which decode to U+FFFD) with more than two distinct tokens and no eos.
    model = build_gpt2(folder, tokenizer, GPT2_SEED, n_embd=32, n_layer=2, n_head=4)
    keys = safetensors_keys(folder / "model.safetensors")
    assert "lm_head.weight" not in keys and not any(k.endswith((".attn.bias", ".attn.masked_bias")) for k in keys)

    # The tokenizer as a user loads it from the folder must agree with the trained one.
    hf_tokenizer = GPT2Tokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
    ids = tokenizer.encode(PROMPT).ids
    assert hf_tokenizer(PROMPT)["input_ids"] == ids
    input_ids = torch.tensor([ids])
    logits = model(input_ids).logits
    save_npy(folder, "input_ids", input_ids)
    save_npy(folder, "logits", logits)

    # Batch: left padding with eos, explicit positions.
    rows = [tokenizer.encode(p).ids for p in BATCH_PROMPTS]
    t = max(len(r) for r in rows)
    batch_ids = torch.tensor([[eos] * (t - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (t - len(r)) + [1] * len(r) for r in rows])
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    batch_logits = model(batch_ids, attention_mask=mask, position_ids=positions).logits
    # Each real row must match the row run alone, unpadded.
    for b, r in enumerate(rows):
        alone = model(torch.tensor([r])).logits[0]
        assert torch.allclose(batch_logits[b, t - len(r):], alone, atol=1e-5)
    assert torch.isfinite(batch_logits).all()
    save_npy(folder, "batch_input_ids", batch_ids)
    save_npy(folder, "batch_attention_mask", mask)
    save_npy(folder, "batch_logits", batch_logits)

    out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=12,
                         do_sample=False, pad_token_id=eos, output_scores=True, return_dict_in_generate=True)
    greedy = out.sequences
    assert greedy.shape == (1, len(ids) + 12) and eos not in greedy[0, len(ids):].tolist(), greedy
    margin = min(top_margin(s) for s in out.scores)
    assert margin > 1e-3, margin
    text = tokenizer.decode(greedy[0].tolist())
    assert hf_tokenizer.decode(greedy[0].tolist()) == text
    save_npy(folder, "greedy_ids", greedy)
    (folder / "greedy_text.txt").write_text(text, encoding="utf-8")
    with torch.enable_grad():
        gradients_case(model)

    untied = FIXTURES / "gpt2_tiny_untied"
    model = build_gpt2(untied, tokenizer, 10, n_embd=16, n_layer=1, n_head=2, tie_word_embeddings=False)
    untied_keys = safetensors_keys(untied / "model.safetensors")
    assert "lm_head.weight" in untied_keys
    assert not torch.equal(model.lm_head.weight, model.transformer.wte.weight)
    save_npy(untied, "input_ids", input_ids)
    save_npy(untied, "logits", model(input_ids).logits)
    return keys, untied_keys, text, margin


def gradients_case(model):
    """gpt2_tiny_grads/: the language-modelling loss of two random sequences and every gradient, by autograd.

    tokens.npy int64 [2, 16]; loss.npy float32 [] (transformers' loss with labels = tokens: position t
    predicts token t + 1); one <our name>.npy per parameter (wte.weight, wpe.weight, blocks.N.…, lnF.…)
    with the gradient in our orientation (Conv1D gradients transposed to [out, in]).
    """
    folder = FIXTURES / "gpt2_tiny_grads"
    folder.mkdir(parents=True)
    g = torch.Generator().manual_seed(5)
    tokens = torch.randint(0, model.config.vocab_size, (2, 16), generator=g)
    model.zero_grad()
    loss = model(tokens, labels=tokens).loss
    loss.backward()
    save_npy(folder, "tokens", tokens)
    save_npy(folder, "loss", loss.detach())
    conv1d = {"attn.c_attn": "attn.qkv", "attn.c_proj": "attn.proj", "mlp.c_fc": "ffn.up", "mlp.c_proj": "ffn.down"}
    for name, parameter in model.named_parameters():
        grad = parameter.grad
        ours = name.removeprefix("transformer.")
        if ours.startswith("h."):
            _, layer, rest = ours.split(".", 2)
            for hf, mine in [("ln_1", "ln1"), ("ln_2", "ln2"), *conv1d.items()]:
                if rest.startswith(hf + "."):
                    leaf = rest[len(hf) + 1:]
                    if hf in conv1d and leaf == "weight":
                        grad = grad.T
                    rest = mine + "." + leaf
                    break
            ours = f"blocks.{layer}.{rest}"
        elif ours.startswith("ln_f."):
            ours = "lnF." + ours[len("ln_f."):]
        save_npy(folder, ours, grad)


# ----------------------------------------------------------------------------- safetensors


def safetensors_case():
    folder = FIXTURES / "safetensors"
    folder.mkdir(parents=True)
    tensors = {
        "f32": torch.tensor([[0.5, -1.25, 3.0], [1e-3, -7.0e5, 2.0 ** -20]], dtype=torch.float32),
        "f16": torch.tensor([1.0, -2.5, 0.1, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -0.1, 3.140625], dtype=torch.bfloat16),
        "f64": torch.tensor([[0.1, -1e-300], [1e300, 2.5]], dtype=torch.float64),
        "i64": torch.tensor([-5, 0, 2 ** 40 + 7], dtype=torch.int64),
        "scalar": torch.tensor(42.5, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
    }
    metadata = {"format": "pt", "note": "fixture"}
    # safetensors writes "__metadata__" from a hash map, in an order that changes from run to run; the header
    # is written again with the metadata keys sorted (same length, same tensors) so the file is the same
    # every run.
    raw = torch_save(tensors, metadata=metadata)
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + length])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":")).encode()
    assert len(text) <= length
    (folder / "mixed.safetensors").write_bytes(raw[:8] + text.ljust(length, b" ") + raw[8 + length:])
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
             torch.int64: "I64"}
    expected = {"metadata": metadata, "tensors": {}}
    for name, t in tensors.items():
        flat = t.reshape(-1)
        values = flat.tolist() if t.dtype == torch.int64 else flat.double().tolist()
        expected["tensors"][name] = {"dtype": names[t.dtype], "shape": list(t.shape), "values": values}
    # Read back: what the file holds must be what expected.json says.
    with safe_open(str(folder / "mixed.safetensors"), "pt") as f:
        assert f.metadata() == metadata
        for name, t in tensors.items():
            assert torch.equal(f.get_tensor(name), t), name
    (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


# ----------------------------------------------------------------------------- seq2seq

C, HEADS, FF, SRC_VOCAB, TGT_VOCAB = 16, 4, 32, 11, 13
PAD, BOS, EOS = 0, 1, 2


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.srcEmbedding = nn.Embedding(SRC_VOCAB, C)
        self.tgtEmbedding = nn.Embedding(TGT_VOCAB, C)
        self.encoder = nn.ModuleList(
            nn.TransformerEncoderLayer(C, HEADS, FF, dropout=0.0, activation="relu", batch_first=True,
                                       norm_first=True) for _ in range(2))
        self.encoderNorm = nn.LayerNorm(C)
        self.decoder = nn.ModuleList(
            nn.TransformerDecoderLayer(C, HEADS, FF, dropout=0.0, activation="relu", batch_first=True,
                                       norm_first=True) for _ in range(2))
        self.decoderNorm = nn.LayerNorm(C)
        self.lmHead = nn.Linear(C, TGT_VOCAB)
        position = torch.arange(64, dtype=torch.float64)[:, None]
        div = torch.pow(10000.0, torch.arange(0, C, 2, dtype=torch.float64) / C)
        table = torch.zeros(64, C, dtype=torch.float64)
        table[:, 0::2] = torch.sin(position / div)
        table[:, 1::2] = torch.cos(position / div)
        self.register_buffer("pe", table.float())

    def embed(self, embedding, ids):
        return embedding(ids) * math.sqrt(C) + self.pe[: ids.shape[1]]

    def encode(self, src):
        x = self.embed(self.srcEmbedding, src)
        for layer in self.encoder:
            x = layer(x, src_key_padding_mask=src == PAD)
        return self.encoderNorm(x)

    def decode(self, tgt, memory, src):
        t = tgt.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        x = self.embed(self.tgtEmbedding, tgt)
        for layer in self.decoder:
            x = layer(x, memory, tgt_mask=causal, tgt_key_padding_mask=tgt == PAD,
                      memory_key_padding_mask=src == PAD)
        return self.lmHead(self.decoderNorm(x))


def randomize_seq2seq(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module_name, module in model.named_modules():
            for name, p in module.named_parameters(recurse=False):
                if isinstance(module, nn.LayerNorm) and name == "weight":
                    p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
                elif "bias" in name:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.3 * torch.randn(p.shape, generator=g))


def our_names(model):
    def mha(attn, prefix):
        return {prefix + "qkv.weight": attn.in_proj_weight, prefix + "qkv.bias": attn.in_proj_bias,
                prefix + "proj.weight": attn.out_proj.weight, prefix + "proj.bias": attn.out_proj.bias}

    def ffn(layer, prefix):
        return {prefix + "ffn.up.weight": layer.linear1.weight, prefix + "ffn.up.bias": layer.linear1.bias,
                prefix + "ffn.down.weight": layer.linear2.weight, prefix + "ffn.down.bias": layer.linear2.bias}

    def norms(layer, prefix, count):
        out = {}
        for i in range(1, count + 1):
            norm = getattr(layer, f"norm{i}")
            out[f"{prefix}ln{i}.weight"], out[f"{prefix}ln{i}.bias"] = norm.weight, norm.bias
        return out

    names = {"srcEmbedding.weight": model.srcEmbedding.weight, "tgtEmbedding.weight": model.tgtEmbedding.weight}
    for n, layer in enumerate(model.encoder):
        p = f"encoder.{n}."
        names.update({**mha(layer.self_attn, p + "attn."), **norms(layer, p, 2), **ffn(layer, p)})
    names.update({"encoderNorm.weight": model.encoderNorm.weight, "encoderNorm.bias": model.encoderNorm.bias})
    for n, layer in enumerate(model.decoder):
        p = f"decoder.{n}."
        names.update({**mha(layer.self_attn, p + "selfAttn."), **mha(layer.multihead_attn, p + "crossAttn."),
                      **norms(layer, p, 3), **ffn(layer, p)})
    names.update({"decoderNorm.weight": model.decoderNorm.weight, "decoderNorm.bias": model.decoderNorm.bias,
                  "lmHead.weight": model.lmHead.weight, "lmHead.bias": model.lmHead.bias})
    assert len({id(v) for v in names.values()}) == len(list(model.parameters())) == len(names)
    return names


def greedy_decode(model, src, max_new=8):
    """Re-runs the decoder over the whole prefix each step; returns the ids [B, ≤ 1 + max_new] and the margins."""
    memory = model.encode(src)
    ys = torch.full((src.shape[0], 1), BOS, dtype=torch.int64)
    finished = torch.zeros(src.shape[0], dtype=torch.bool)
    margins = []
    for _ in range(max_new):
        last = model.decode(ys, memory, src)[:, -1]
        margins.append(top_margin(last[~finished]))
        next_id = last.argmax(-1)
        next_id = torch.where(finished, torch.full_like(next_id, PAD), next_id)
        ys = torch.cat([ys, next_id[:, None]], dim=1)
        finished |= next_id == EOS
        if finished.all():
            break
    return ys, min(margins)


def seq2seq_case():
    folder = FIXTURES / "seq2seq"
    folder.mkdir(parents=True)
    model = Seq2Seq()
    randomize_seq2seq(model, SEQ2SEQ_SEED)
    model.eval()
    src = torch.tensor([[3, 7, 4, 10, 5, 9, 6], [8, 3, 6, 4, 10, 0, 0]])
    tgt = torch.tensor([[1, 5, 12, 3, 9], [1, 7, 4, 11, 0]])
    memory = model.encode(src)
    logits = model.decode(tgt, memory, src)
    assert torch.isfinite(memory).all() and torch.isfinite(logits).all()

    # PyTorch's own stacks (with the fast path off) must agree with the layer-by-layer loop.
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(C, HEADS, FF, 0.0, "relu", batch_first=True,
                                                               norm_first=True), 2, norm=model.encoderNorm,
                                    enable_nested_tensor=False)
    encoder.layers = model.encoder
    assert torch.allclose(encoder(model.embed(model.srcEmbedding, src), src_key_padding_mask=src == PAD),
                          memory, atol=1e-6)

    greedy, margin = greedy_decode(model, src)
    # The seed was chosen (the search is not part of the script) so that the fixture exercises both ways a
    # row ends, and never emits PAD or BOS, which would make the padded output ambiguous.
    lengths = []
    for row in greedy[:, 1:].tolist():
        n = row.index(EOS) + 1 if EOS in row else len(row)
        assert all(token > BOS for token in row[:n]) and all(token == PAD for token in row[n:]), greedy
        lengths.append(n)
    assert greedy.shape[1] == 9 and sorted(lengths)[-1] == 8 and EOS not in greedy[lengths.index(8)], greedy
    assert sum(EOS in row for row in greedy.tolist()) == 1 and min(lengths) >= 3, greedy
    assert margin > 1e-3, margin

    for name, value in our_names(model).items():
        save_npy(folder, name, value)
    save_npy(folder, "src", src)
    save_npy(folder, "tgt", tgt)
    save_npy(folder, "memory", memory)
    save_npy(folder, "logits", logits)
    save_npy(folder, "greedy", greedy)
    return greedy, margin


def sampling_case():
    """Hugging Face's logits processors on fixed logits, one step after another, as generate applies them.

    sampling/: logits.npy [2, 40] (float32 values, processed in float64) (row 1 has ties), history.npy int64 [2, 6] (tokens already in
    each row), then after_penalty (RepetitionPenaltyLogitsProcessor(1.7)), after_temperature
    (TemperatureLogitsWarper(0.8)), after_top_k (TopKLogitsWarper(7)), after_top_p (TopPLogitsWarper(0.6)),
    each [2, 40] (saved as float32) with -inf where a token was cut.
    """
    from transformers.generation.logits_process import (RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                                                        TopKLogitsWarper, TopPLogitsWarper)
    folder = FIXTURES / "sampling"
    folder.mkdir(parents=True)
    g = torch.Generator().manual_seed(7)
    logits = (torch.randn(2, 40, generator=g) * 2).double()    # float32 values, exact in the .npy
    logits[1, 10:14] = logits[1, 3]                          # ties, at the top-k boundary or not
    history = torch.tensor([[0, 5, 5, 9, 12, 30], [3, 10, 1, 1, 2, 39]])
    steps = {"after_penalty": RepetitionPenaltyLogitsProcessor(1.7), "after_temperature": TemperatureLogitsWarper(0.8),
             "after_top_k": TopKLogitsWarper(7), "after_top_p": TopPLogitsWarper(0.6)}
    save_npy(folder, "logits", logits.numpy())
    save_npy(folder, "history", history)
    scores = logits.clone()
    for name, step in steps.items():
        scores = step(history, scores.clone())
        save_npy(folder, name, scores.numpy())


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.backends.mha.set_fastpath_enabled(False)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    for name in OUR_FOLDERS:
        if (FIXTURES / name).exists():
            shutil.rmtree(FIXTURES / name)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        keys, untied_keys, text, margin = gpt2_cases()
        safetensors_case()
        greedy, seq_margin = seq2seq_case()
        sampling_case()

    print("gpt2_tiny/model.safetensors keys:")
    for key, shape in keys.items():
        print(f"    {key} {shape}")
    print("gpt2_tiny_untied/model.safetensors also:", [k for k in untied_keys if not k.startswith("transformer.")])
    print(f"greedy text: {text!r} (smallest top-1 lead {margin:.4f})")
    print(f"seq2seq greedy: {greedy.tolist()} (smallest top-1 lead {seq_margin:.4f})")
    total = 0
    for name in OUR_FOLDERS:
        files = sorted(p for p in (FIXTURES / name).rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files)
        total += size
        print(f"wrote {len(files):3} files ({size / 1024:6.1f} KB) to {FIXTURES / name}")
    print(f"total {total / 1024:.1f} KB")


if __name__ == "__main__":
    main()
