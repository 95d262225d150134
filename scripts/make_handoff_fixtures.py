#!/usr/bin/env python3
"""Export two small models with `walkthrough export`, load them in transformers, and keep what it computed.

What this is
------------
The hand-off test (Tests/GPTTests/HandoffTests.swift) checks that a folder
written by `walkthrough export` is what PyTorch and Hugging Face read: that
`GPT2LMHeadModel.from_pretrained` gives the logits our model gives, that
`GPT2TokenizerFast.from_pretrained` cuts each prompt into the ids our tokenizer
gives, and that greedy decoding picks the same tokens. This script makes the
folders with our own commands and asks transformers. It writes, under
``Tests/GPTTests/Fixtures/handoff/``:

char/    ``walkthrough train`` on TEXT with a character tokenizer and the
         shakespeare-char preset made small (1 layer, 2 heads, C 32, T 16; no
         biases, exact GELU, a tied head), 30 steps, then ``walkthrough export``:
         the biases GPT-2 has are written as zeros and the 18 characters as
         byte-level tokens without merges.
bpe/     the same text with ``--tokenizer bpe --vocab-size 300`` and the tiny
         preset (LiteTorch's: 2 layers, 2 heads, C 32, T 16, GELU in its tanh
         form, attention without biases, an untied head), 30 steps, exported:
         attention's biases are written as zeros, lm_head.weight is stored.

{name}-saved/   the same model and tokenizer as transformers loaded them, written back
         with ``save_pretrained`` (config.json, generation_config.json,
         model.safetensors, tokenizer.json, tokenizer_config.json: transformers 5
         writes no vocab.json or merges.txt), for the way back: exporting
         this folder again must give the export's bytes.

Each exported folder holds what the export wrote (config.json, model.safetensors,
vocab.json, merges.txt, tokenizer_config.json) and, from transformers:

    prompts.json            the prompts, in order
    prompt{i}_ids.npy       int64 [1, n]: GPT2TokenizerFast(prompt).input_ids
    prompt{i}_logits.npy    float32 [1, n, V]: GPT2LMHeadModel(ids).logits
    prompt{i}_greedy.npy    int64 [1, n + NEW_TOKENS]: model.generate(ids,
                            max_new_tokens=NEW_TOKENS, do_sample=False); every
                            step's top logit leads the second by more than 1e-3
                            (printed), so a 1e-4 difference cannot change a pick

How to run it (by hand, when the export format changes)
-------------------------------------------------------
    swift build -c release --product walkthrough
    python3 -m venv .venv-fixtures && . .venv-fixtures/bin/activate
    pip install -r scripts/requirements-fixtures.txt
    python scripts/make_handoff_fixtures.py [--walkthrough .build/release/walkthrough]

Building and testing never need Python: the folders and .npy files are committed.
"""

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2LMHeadModel, GPT2TokenizerFast
from transformers.utils import logging as hf_logging

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "GPTTests" / "Fixtures" / "handoff"
TEXT = "".join(["the cat sat on the mat.", "a dog ran to the cat.", "the bird saw a dog."][i % 3] + "\n"
               for i in range(120))
COMMON = ["--context", "16", "--steps", "30", "--batch-size", "4", "--eval-every", "15", "--eval-batches", "2",
          "--log-every", "10", "--seed", "5"]
CASES = {
    "char": (["--preset", "shakespeare-char", "--layers", "1", "--heads", "2", "--width", "32"],
             ["the cat", "a bird saw"]),
    "bpe": (["--tokenizer", "bpe", "--vocab-size", "300", "--preset", "tiny"],
            ["the cat sat", "a dog ran to the", "Hi, cat!"]),
}
NEW_TOKENS = 6
EXPORTED = ["config.json", "model.safetensors", "vocab.json", "merges.txt", "tokenizer_config.json"]


def run(*arguments):
    print("$", " ".join(str(a) for a in arguments))
    subprocess.run([str(a) for a in arguments], check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--walkthrough", default=str(ROOT / ".build" / "release" / "walkthrough"))
    args = parser.parse_args()
    torch.manual_seed(0)
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.backends.mha.set_fastpath_enabled(False)
    if FIXTURES.exists():
        shutil.rmtree(FIXTURES)
    FIXTURES.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        text = Path(scratch) / "input.txt"
        text.write_text(TEXT, encoding="utf-8")
        for name, (flags, prompts) in CASES.items():
            run_folder = Path(scratch) / name
            run(args.walkthrough, "train", text, "--out", run_folder, *flags, *COMMON)
            run(args.walkthrough, "export", run_folder, "--to", FIXTURES / name)
            reference(FIXTURES / name, prompts)
    for folder in sorted(FIXTURES.iterdir()):
        files = sorted(folder.iterdir())
        print(f"wrote {len(files)} files ({sum(p.stat().st_size for p in files) / 1024:.1f} KB) to {folder}")


def reference(folder, prompts):
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPORTED), list(folder.iterdir())
    model = GPT2LMHeadModel.from_pretrained(folder).eval()
    tokenizer = GPT2TokenizerFast.from_pretrained(folder)
    assert len(tokenizer) <= model.config.vocab_size, (len(tokenizer), model.config.vocab_size)
    (folder / "prompts.json").write_text(json.dumps(prompts, indent=2) + "\n", encoding="utf-8")
    smallest_lead = float("inf")
    with torch.no_grad():
        for i, prompt in enumerate(prompts):
            ids = tokenizer(prompt, return_tensors="pt").input_ids
            assert tokenizer.decode(ids[0]) == prompt, (tokenizer.decode(ids[0]), prompt)
            logits = model(ids).logits
            output = model.generate(ids, max_new_tokens=NEW_TOKENS, do_sample=False, output_scores=True,
                                    return_dict_in_generate=True, eos_token_id=None,
                                    pad_token_id=model.config.eos_token_id or 0)
            for scores in output.scores:
                top = torch.topk(scores[0], 2).values
                smallest_lead = min(smallest_lead, float(top[0] - top[1]))
            np.save(folder / f"prompt{i}_ids.npy", ids.numpy().astype(np.int64))
            np.save(folder / f"prompt{i}_logits.npy", logits.numpy().astype(np.float32))
            np.save(folder / f"prompt{i}_greedy.npy", output.sequences.numpy().astype(np.int64))
            print(f"  {folder.name} {prompt!r}: {ids.shape[1]} tokens → "
                  f"{tokenizer.decode(output.sequences[0])!r}")
    print(f"  smallest top-1 lead over the greedy steps: {smallest_lead:.4f}")
    assert smallest_lead > 1e-3, "a greedy step is too close to a tie to compare: change the seed"
    saved = folder.parent / f"{folder.name}-saved"
    model.save_pretrained(saved)
    tokenizer.save_pretrained(saved)


if __name__ == "__main__":
    main()
