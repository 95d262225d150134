#!/usr/bin/env python3
"""Generate the Hugging Face ``tokenizers`` reference fixtures for the GPT tokenizer tests.

What this is
------------
``Tests/GPTTests/TokenizerTests.swift`` checks our byte-level BPE against
Hugging Face's: that training on the same text gives the same vocabulary and
merges, file for file, and that encoding and decoding give the same ids and
strings. This script trains HF's byte-level BPE the way GPT-2's tokenizer is
set up::

    Tokenizer(models.BPE())
    pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)   # GPT-2's regex, use_regex=True
    decoder       = decoders.ByteLevel()
    trainers.BpeTrainer(vocab_size=..., special_tokens=["<|endoftext|>"],
                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), min_frequency=...)

on ``train.txt`` (committed, written by hand: English, accents, CJK, emoji with
ZWJ sequences, digits, punctuation, runs of spaces, tabs, blank lines, and two
``<|endoftext|>`` separators, which HF's trainer does NOT split out: it learns
from them as ordinary text). The whole file is one training sequence
(``train_from_iterator([text])``), as our ``BPETokenizer.train(text:)`` sees it.
It writes, under ``Tests/GPTTests/Fixtures/tokenizer/``:

    vocab.json, merges.txt            vocab_size 400, min_frequency 2 (stops at 400
                                      tokens); ``model.save``, so merges.txt starts
                                      with ``#version: 0.2``
    min8-vocab.json, min8-merges.txt  vocab_size 400, min_frequency 8 (stops early,
                                      when the best pair is seen fewer than 8 times)
    samples.json                      for each sample text: HF's ids, tokens, and
                                      ``decode(ids, skip_special_tokens=False)``;
                                      the pre-tokenizer's pieces (byte-level strings)
                                      for each sample and for random strings drawn
                                      from tricky characters; and byte sequences that
                                      are not valid UTF-8 with HF's decoding of them
    train.txt                         the training text (read, not written, here)

The output is deterministic: one training thread, sorted JSON keys, and a fixed
seed for the random strings. Every run rewrites the files above (and nothing
else in the folder).

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install tokenizers==0.23.3 \\
        && .venv/bin/python scripts/make_tokenizer_fixtures.py
"""

import json
import os
import random
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")          # the trainer on one thread
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent.parent / "Tests" / "GPTTests" / "Fixtures" / "tokenizer"
SPECIAL = "<|endoftext|>"

SAMPLES = [
    "",
    "Hello world",
    "The tokenizer merges the most frequent pair.",
    "  multiple   spaces",
    "trailing spaces   ",
    "\n",
    "\n\n",
    "\n\nHello\n\n\nthere\n",
    "x\r\ny",
    "\ttab\tseparated\t\tvalues",
    "  \t mixed \n  whitespace  \t",
    "don't",
    "I'll",
    "we're they've I'm she'd it's",
    "DON'T WON'T",
    "'s 'S ''s",
    "12345",
    "3.14159 and 1,000,000",
    "naïve café",
    "Übergang Straße",
    "e\u0301 (e + combining acute, decomposed)",
    "日本語のテキスト",
    "中文文本 한국어",
    "👩\u200d👩\u200d👧 family",
    "🇫🇷 flag 👋🏽 wave",
    "Hello<|endoftext|>World",
    " <|endoftext|> x",
    "<|endoftext|><|endoftext|>",
    "<|endoftext|",
    "<|endoftext|>\n\nNext document.",
    "Ωμέγα ζῷον עברית",
    "🦀 Rust 🐍",
    "\u0000\u0001\u007f control",
    "\u00a0nbsp\u3000ideographic\u2028line",
    "Ⅻ ½ ² ٣ digits",
    "def f(x):\n    return x  # comment\n",
    "Whitespace matters:  two spaces,   three spaces.\n\tOne tab.",
]

# Characters the pre-tokenizer must classify right: letters of every kind (Lu Ll Lt
# Lm Lo), marks (Mn, and Mc which is Alphabetic but not a letter), numbers (Nd Nl
# No), every kind of whitespace, controls that are not whitespace, the apostrophe
# and the letters of the contractions, punctuation, symbols, emoji, ZWJ.
POOL = list("aAzZsStTrReEvVmMlLdD") + list("'''''") + [
    " ", " ", " ", " ", "\t", "\n", "\r", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680",
    "\u2003", "\u2028", "\u2029", "\u202f", "\u3000",
    "\u001c", "\u001f", "\u0000", "\u200b", "\u200d", "\u00ad", "\ufeff",
    "é", "ß", "Ω", "ж", "日", "ア", "한", "ǅ", "ʰ", "ー", "\u0301", "\u093f", "\u0915",
    "0", "7", "٣", "Ⅻ", "½", "²", "①",
    ".", ",", "!", "?", "-", "(", "\"", "#", "_", "€", "©", "→",
    "😀", "👩", "🏽", "🇫", "\ue000",
]


def train(min_frequency):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=[SPECIAL], min_frequency=min_frequency,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    text = (OUT_DIR / "train.txt").read_text(encoding="utf-8")
    tokenizer.train_from_iterator([text], trainer)
    return tokenizer


def pieces(tokenizer, text):
    """The pre-tokenizer's pieces, as byte-level strings."""
    return [piece for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text)]


def random_strings(count, length, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(length)) for _ in range(count)]


def byte_token(tokenizer, byte):
    """The id of the token for one byte (its GPT-2 stand-in character)."""
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    printable = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    others = [b for b in range(256) if b not in printable]
    stand_in = chr(byte) if byte in printable else chr(256 + others.index(byte))
    assert stand_in in alphabet
    return tokenizer.token_to_id(stand_in)


def main():
    tokenizer = train(min_frequency=2)
    tokenizer.model.save(str(OUT_DIR))                 # vocab.json, merges.txt
    train(min_frequency=8).model.save(str(OUT_DIR), "min8")

    samples = []
    for text in SAMPLES:
        encoding = tokenizer.encode(text)
        samples.append({
            "text": text,
            "ids": encoding.ids,
            "tokens": encoding.tokens,
            "decoded": tokenizer.decode(encoding.ids, skip_special_tokens=False),
        })
    pre_tokenized = [{"text": text, "pieces": pieces(tokenizer, text)}
                     for text in SAMPLES + random_strings(150, 12, seed=0)]
    invalid_utf8 = []
    for raw in [[0xE6], [0xE6, 0x97], [0xE6, 0x41], [0xE6, 0x97, 0xA5], [0xFF], [0x80, 0x80],
                [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0x41, 0xF0, 0x9F, 0x98, 0x41]]:
        ids = [byte_token(tokenizer, b) for b in raw]
        invalid_utf8.append({"bytes": raw, "ids": ids, "decoded": tokenizer.decode(ids)})

    document = {"samples": samples, "pre_tokenized": pre_tokenized, "invalid_utf8": invalid_utf8}
    with open(OUT_DIR / "samples.json", "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")

    files = sorted(p for p in OUT_DIR.iterdir() if p.is_file())
    size = sum(p.stat().st_size for p in files)
    print(f"{tokenizer.get_vocab_size()} tokens, {len(samples)} samples; "
          f"{len(files)} files ({size / 1024:.1f} KB) in {OUT_DIR}")


if __name__ == "__main__":
    main()
