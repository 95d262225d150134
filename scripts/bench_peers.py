#!/usr/bin/env python3
"""Runs the bench cases beside NumPy (and PyTorch when installed) on this machine.

    swift build -c release --traits NativeCPU --product bench
    python3 scripts/bench_peers.py [--rounds 3] [--filter gemm] [--threads 1,2]

    # also the portable default build, in the same alternation:
    swift build -c release --scratch-path .build-portable --product bench
    python3 scripts/bench_peers.py --portable .build-portable/release/bench

Reads the cases from `bench --list --json`, then alternates whole runs:
ours, NumPy, PyTorch, ours, NumPy, PyTorch, ... so that drift in the machine's
speed hits every side alike. Prints, per case and thread count, the median of
each side over the rounds and our ratio to each peer (above 1: we are faster).

The peers run in fresh processes with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS /
MKL_NUM_THREADS set to the thread count (NumPy reads them at import) and
torch.set_num_threads. Each case is timed as the bench times it: two warm-up
runs, then runs until 0.25 s have passed (5 to 200), the median.
Needs numpy (and optionally torch) from PyPI; see scripts/requirements-bench.txt.
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
    if kind in ("gemm", "gemm_wt"):
        return 2 * d[0] * d[1] * d[2] / 1e9
    if kind == "add":
        return 3 * d[0] * 4 / 1e9
    if kind == "scalar_mul":
        return 2 * d[0] * 4 / 1e9
    if kind == "broadcast_add":
        return (2 * d[0] * d[1] + d[1]) * 4 / 1e9
    if kind in ("softmax", "layernorm", "sum_rows", "max_rows"):
        return d[0] / 1e3
    if kind in ("block", "block_matmuls"):
        return d[0] * d[1] / 1e3
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
    if kind in ("block", "block_matmuls"):
        return numpy_block(d, rng, kind == "block_matmuls")
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


def torch_body(case, rng):
    import torch
    d = case["dims"]
    kind = case["kind"]
    g = torch.Generator().manual_seed(0)
    if kind == "gemm":
        a = torch.rand(d[0], d[1], generator=g) * 2 - 1
        b = torch.rand(d[1], d[2], generator=g) * 2 - 1
        return lambda: a @ b
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
    if kind in ("block", "block_matmuls"):
        return torch_block(d, g, kind == "block_matmuls")
    return None


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
    print(json.dumps(rates))


def run_ours(bench, cases_filter, threads):
    args = [bench, "--json", "--threads", ",".join(map(str, threads))]
    for f in cases_filter:
        args += ["--filter", f]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    return {(r["name"], r["threads"]): r["value"] for r in data["results"]}, data["build"]


def run_peer(peer, threads, cases_path):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    out = subprocess.run([sys.executable, __file__, "--worker", peer, "--worker-threads", str(threads),
                          "--cases", cases_path], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "bench"),
                        help="the bench executable (default: .build/release/bench)")
    parser.add_argument("--portable", help="a second bench executable (the portable default build) to time "
                        "in the same alternation, shown beside ours with its ratio to it")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--filter", action="append", default=[], help="only cases containing this text")
    parser.add_argument("--threads", default=None, help="thread counts, e.g. 1,2 (default: 1 and every core)")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        worker(args.worker, args.worker_threads, args.cases)
        return

    if not os.access(args.bench, os.X_OK):
        sys.exit(f"bench_peers: {args.bench} is not an executable; build it first:\n"
                 "  swift build -c release --traits NativeCPU --product bench")
    if args.portable and not os.access(args.portable, os.X_OK):
        sys.exit(f"bench_peers: {args.portable} is not an executable; build it first:\n"
                 "  swift build -c release --scratch-path .build-portable --product bench")
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
    build = {}
    for round_index in range(args.rounds):
        print(f"round {round_index + 1}/{args.rounds} …", file=sys.stderr)
        ours, build = run_ours(args.bench, args.filter, threads)
        for (name, t), rate in ours.items():
            samples.setdefault(("ours", name, t), []).append(rate)
        if args.portable:
            portable, _ = run_ours(args.portable, args.filter, threads)
            for (name, t), rate in portable.items():
                samples.setdefault(("portable", name, t), []).append(rate)
        for peer in peers:
            for t in threads:
                for name, rate in run_peer(peer, t, cases_path).items():
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
        print(json.dumps({"build": build, "rounds": args.rounds, "rows": rows}, indent=2))
        return

    fma = "fused multiply-add" if build.get("fusedMultiplyAdd") else "no FMA (portable build)"
    print(f"medians of {args.rounds} alternating rounds; ours: {fma}; ratio = ours / peer (above 1: ours faster)")
    if args.portable:
        print("portable: the default build, and how many times slower than ours it is")
    header = f"{'case':36} {'unit':9} {'thr':>3} {'ours':>9} {'numpy':>9} {'ratio':>6}"
    if "torch" in peers:
        header += f" {'torch':>9} {'ratio':>6}"
    if args.portable:
        header += f" {'portable':>9} {'slower':>6}"
    print(header)
    for row in rows:
        line = f"{row['name'][:36]:36} {row['unit']:9} {row['threads']:>3} {row['ours']:9.1f}"
        for peer in peers:
            theirs = row[peer]
            line += f" {theirs:9.1f} {row['ours'] / theirs:6.2f}" if theirs else f" {'—':>9} {'':6}"
        if args.portable:
            line += f" {row['portable']:9.1f} {row['ours'] / row['portable']:6.2f}"
        print(line)


if __name__ == "__main__":
    main()
