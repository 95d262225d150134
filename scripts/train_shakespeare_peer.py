#!/usr/bin/env python3
"""PyTorch peer of our training benchmark: nanoGPT's shakespeare-char CPU run.

    python3 scripts/train_shakespeare_peer.py --data path/to/tinyshakespeare.txt
    python3 scripts/train_shakespeare_peer.py --data path/to/tinyshakespeare.txt --json

Trains a small character-level GPT the way nanoGPT's README runs it on a CPU
(github.com/karpathy/nanoGPT, config/train_shakespeare_char.py with
--block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128
--max_iters=2000 --lr_decay_iters=2000 --dropout=0.0): 4 layers, 4 heads,
128 wide, context 64, batch 12, AdamW (lr 1e-3, betas 0.9/0.99, weight decay
0.1 on matrices only), 100 warmup steps then cosine decay to 1e-4, gradient
clipping at 1.0, no dropout, no biases, tied embedding and output weights.

Only the training steps are timed. After the last step the mean loss over
--eval-batches random batches of each split is printed. With --eval-every N
the script also evaluates at step 0 and every N steps, as `walkthrough train
--eval-every N` does (evaluation batches come from a generator of their own, so
they never shift the training batches), for comparing whole wall times with
the same evaluation budget; the evaluation time is printed apart. Our side of the comparison is `bench --train-text PATH`, the Swift
bench executable's training run with the same settings.

Needs torch from PyPI; see scripts/requirements-bench.txt.
"""
import argparse
import json
import math
import os
import resource
import time

# Model and training settings (nanoGPT's shakespeare-char CPU run).
N_LAYER, N_HEAD, N_EMBD, BLOCK_SIZE, BATCH_SIZE = 4, 4, 128, 64, 12
LEARNING_RATE, MIN_LR, WARMUP_ITERS, LR_DECAY_ITERS = 1e-3, 1e-4, 100, 2000
BETAS, WEIGHT_DECAY, GRAD_CLIP = (0.9, 0.99), 0.1, 1.0

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", required=True, help="a text file, e.g. tinyshakespeare")
parser.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
parser.add_argument("--seed", type=int, default=1337, help="torch.manual_seed (default 1337)")
parser.add_argument("--eval-batches", type=int, default=200,
                    help="batches per split for the final loss (default 200)")
parser.add_argument("--eval-every", type=int, default=0,
                    help="also evaluate at step 0 and every N steps, like walkthrough train (default: only at the end)")
parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
args = parser.parse_args()

# The thread pools read these at import, so set them before importing torch.
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["MKL_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)


# ---------------------------------------------------------------- the model
class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD, bias=False)  # q, k, v at once
        self.c_proj = nn.Linear(N_EMBD, N_EMBD, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(N_EMBD, dim=2)
        # (B, T, C) -> (B, heads, T, head size)
        q, k, v = (t.view(B, T, N_HEAD, C // N_HEAD).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD, bias=False)
        self.attn = SelfAttention()
        self.ln_2 = nn.LayerNorm(N_EMBD, bias=False)
        self.mlp = nn.Sequential()
        self.mlp.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD, bias=False)
        self.mlp.gelu = nn.GELU()  # exact (erf) GELU
        self.mlp.c_proj = nn.Linear(4 * N_EMBD, N_EMBD, bias=False)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))  # pre-norm residual blocks
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.wpe = nn.Embedding(BLOCK_SIZE, N_EMBD)
        self.h = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.ln_f = nn.LayerNorm(N_EMBD, bias=False)
        self.lm_head = nn.Linear(N_EMBD, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: one matrix, used twice
        # GPT-2 init: N(0, 0.02), residual projections scaled by 1/sqrt(2 * layers).
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * N_LAYER) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, idx, targets):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ---------------------------------------------------------------- data
with open(args.data, encoding="utf-8") as f:
    text = f.read()
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
n = int(0.9 * len(data))
splits = {"train": data[:n], "val": data[n:]}  # a cut, no shuffle


def get_batch(split, generator=None):
    d = splits[split]
    ix = torch.randint(len(d) - BLOCK_SIZE, (BATCH_SIZE,), generator=generator)
    x = torch.stack([d[i:i + BLOCK_SIZE] for i in ix])
    y = torch.stack([d[i + 1:i + 1 + BLOCK_SIZE] for i in ix])
    return x, y


def get_lr(it):
    if it < WARMUP_ITERS:  # linear warmup
        return LEARNING_RATE * (it + 1) / WARMUP_ITERS
    if it > LR_DECAY_ITERS:
        return MIN_LR
    ratio = (it - WARMUP_ITERS) / (LR_DECAY_ITERS - WARMUP_ITERS)
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))  # 1 -> 0
    return MIN_LR + coeff * (LEARNING_RATE - MIN_LR)


# ---------------------------------------------------------------- training
model = GPT(len(chars))
params = list(model.parameters())  # the tied matrix appears once
optimizer = torch.optim.AdamW([
    {"params": [p for p in params if p.dim() >= 2], "weight_decay": WEIGHT_DECAY},
    {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
], lr=LEARNING_RATE, betas=BETAS)
if not args.json:
    print(f"vocab {len(chars)}, {sum(p.numel() for p in params):,} parameters, "
          f"torch {torch.__version__}, {args.threads} threads")

eval_generator = torch.Generator().manual_seed(args.seed + 1)
eval_seconds = 0.0


@torch.no_grad()
def mean_loss(split):
    return sum(model(*get_batch(split, eval_generator)).item() for _ in range(args.eval_batches)) / args.eval_batches


def evaluate(step):
    global eval_seconds
    t0 = time.perf_counter()
    model.eval()
    losses = mean_loss("train"), mean_loss("val")
    model.train()
    eval_seconds += time.perf_counter() - t0
    if not args.json:
        print(f"step {step}: train loss {losses[0]:.4f}, val loss {losses[1]:.4f}")


model.train()
train_seconds, t_last, it_last = 0.0, 0.0, 0
for it in range(args.steps):
    if args.eval_every and it % args.eval_every == 0:
        evaluate(it)
    t0 = time.perf_counter()
    lr = get_lr(it)
    for group in optimizer.param_groups:
        group["lr"] = lr
    x, y = get_batch("train")
    loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
    optimizer.step()
    train_seconds += time.perf_counter() - t0
    if not args.json and ((it + 1) % 100 == 0 or it + 1 == args.steps):
        ms = 1000 * (train_seconds - t_last) / (it + 1 - it_last)
        print(f"step {it + 1:5d}  loss {loss.item():.4f}  lr {lr:.2e}  {ms:.1f} ms/step")
        t_last, it_last = train_seconds, it + 1


t0 = time.perf_counter()
model.eval()
val_loss, train_loss = mean_loss("val"), mean_loss("train")
eval_seconds += time.perf_counter() - t0
result = {
    "peer": "pytorch", "torch": torch.__version__, "threads": args.threads,
    "steps": args.steps, "train_seconds": round(train_seconds, 3),
    "ms_per_step": round(1000 * train_seconds / max(args.steps, 1), 3),
    "eval_seconds": round(eval_seconds, 3),
    "train_loss": round(train_loss, 4), "val_loss": round(val_loss, 4),
    "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}
if args.json:
    print(json.dumps(result))
else:
    print(f"{result['steps']} steps in {result['train_seconds']:.2f} s "
          f"({result['ms_per_step']:.2f} ms/step, {args.threads} threads)")
    print(f"train loss {train_loss:.4f}, val loss {val_loss:.4f} "
          f"(mean over {args.eval_batches} batches each); {eval_seconds:.2f} s evaluating")
    print(f"peak memory {result['peak_memory_mb']:.1f} MB (ru_maxrss)")
