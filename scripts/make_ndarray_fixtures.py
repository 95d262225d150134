#!/usr/bin/env python3
"""Generate the NumPy reference fixtures for the NDArray Swift tests.

What this is
------------
The Swift tests in ``Tests/NDArrayTests`` compare our pure-Swift array library
against NumPy. This script computes the expected results with NumPy and writes
them as ``.npy`` files (plus one ``manifest.json`` describing every case) into

    Tests/NDArrayTests/Fixtures/numpy/

The output folder is found relative to this file, so the script can be run from
any working directory. On every run it first deletes the old ``*.npy`` files and
``manifest.json`` in that folder, then writes everything again. The output is
deterministic: running it twice gives byte-identical files (all inputs come from
``np.arange``/``np.linspace`` or ``np.random.default_rng`` with fixed seeds).

Groups (file prefix -> manifest key):
    bc_    broadcast     element-wise binary ops under broadcasting
    view_  views         slicing / transposing / reshaping / assignment
    red_   reductions    sum, mean, max, ..., argmax over axes, keepdims, ddof
    mm_    matmul        np.matmul / np.dot / np.outer
    un_    unary         element-wise unary ops and ops with a scalar
    sm_    softmax       softmax, log_softmax, logsumexp
    join_  join          concatenate, stack, split, take, take_along_axis, one-hot
    pr_    printing      str() and our debug repr built with np.array2string
    npy_   npy           .npy format versions, dtypes, byte orders, corrupt files
    -      random        SplitMix64 + xoshiro256** reference outputs (manifest only)

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt \
        && .venv/bin/python scripts/make_ndarray_fixtures.py
"""

import io
import json
import math
import struct
import os
from pathlib import Path

import numpy as np

OUT_DIR = (Path(__file__).resolve().parent.parent
           / "Tests" / "NDArrayTests" / "Fixtures" / "numpy")


def save(name, array):
    """Write ``array`` as ``<name>.npy`` with NumPy's default np.save format."""
    np.save(OUT_DIR / f"{name}.npy", np.asarray(array), allow_pickle=False)


def write_bytes(name, data):
    """Write raw bytes as ``<name>.npy`` (for hand-made / corrupt files)."""
    (OUT_DIR / f"{name}.npy").write_bytes(data)


def shape_list(shape):
    return [int(d) for d in shape]


# ---------------------------------------------------------------------------
# 1. broadcast
# ---------------------------------------------------------------------------

def gen_broadcast():
    pairs = [
        ("row", [2, 3], [3]),
        ("col", [2, 3], [2, 1]),
        ("outer", [3, 1], [1, 4]),
        ("3d", [2, 1, 4], [3, 1]),
        ("lead", [4], [2, 3, 4]),
        ("scalar", [], [2, 3]),        # a is a 0-d array
        ("one", [1], [2, 3]),
        ("ones3", [5, 1, 1], [1, 3, 1]),
        ("same", [2, 3], [2, 3]),
        ("empty", [0, 3], [3]),
        # These do not broadcast: manifest entries only, no files.
        ("bad_last", [2, 3], [4]),
        ("bad_swap", [2, 3], [3, 2]),
        ("bad_mid", [2, 3, 4], [2, 1, 5]),
    ]
    manifest = []
    for name, a_shape, b_shape in pairs:
        try:
            out_shape = shape_list(np.broadcast_shapes(tuple(a_shape), tuple(b_shape)))
        except ValueError:
            out_shape = None
        ok = out_shape is not None
        manifest.append({"name": name, "a_shape": a_shape, "b_shape": b_shape,
                         "ok": ok, "out_shape": out_shape})
        if not ok:
            continue

        # a = (np.arange(prod(a_shape)) * 0.5 - 1).reshape(a_shape).astype(np.float32)
        a = (np.arange(math.prod(a_shape)) * 0.5 - 1).reshape(a_shape).astype(np.float32)
        # b = ((np.arange(prod(b_shape)) + 1) * 0.25).reshape(b_shape).astype(np.float32)
        b = ((np.arange(math.prod(b_shape)) + 1) * 0.25).reshape(b_shape).astype(np.float32)
        if name == "same":
            # Tweak: b[0, 1] = a[0, 1] (= -0.5) so that `equal` has a True entry.
            # (`col` and `3d` already contain equal pairs by construction.)
            b[0, 1] = a[0, 1]

        outputs = {
            "add": a + b,                                   # a + b
            "sub": a - b,                                   # a - b
            "mul": a * b,                                   # a * b
            "div": a / b,                                   # a / b
            "maximum": np.maximum(a, b),                    # np.maximum(a, b)
            "minimum": np.minimum(a, b),                    # np.minimum(a, b)
            "pow": np.power(np.abs(a) + 0.5, b),            # np.power(np.abs(a) + 0.5, b)
            "less": a < b,                                  # a < b
            "equal": a == b,                                # a == b
        }
        save(f"bc_{name}_a", a)
        save(f"bc_{name}_b", b)
        for op, out in outputs.items():
            out = np.asarray(out)
            expected = np.bool_ if op in ("less", "equal") else np.float32
            assert out.dtype == expected, (name, op, out.dtype)
            assert list(out.shape) == out_shape, (name, op, out.shape)
            save(f"bc_{name}_{op}", out)
    return manifest


# ---------------------------------------------------------------------------
# 2. views
# ---------------------------------------------------------------------------

# Each case is (name, code). The code is executed as written (it is also the
# "expr" text in the manifest); a one-line code is an expression whose value is
# saved, a multi-line code must leave its result in the variable named last.
VIEW_CASES = [
    ("chain",
     "x = np.arange(24, dtype=np.float32)\n"
     "v = x.reshape(4, 6)[1:, ::2].T"),
    ("chain_write",
     "x = np.arange(24, dtype=np.float32)\n"
     "v = x.reshape(4, 6)[1:, ::2].T\n"
     "w = v.copy()\n"
     "w[0, 1] = 100\n"
     "w[2, :] = -1"),
    ("rev", "np.arange(10, dtype=np.float32)[::-1]"),
    ("rev2", "np.arange(10, dtype=np.float32)[::-2]"),
    ("neg_start_stop", "np.arange(10, dtype=np.float32)[7:2:-2]"),
    ("neg_2d", "np.arange(20, dtype=np.float32).reshape(4, 5)[::-1, 1::2]"),
    ("neg_both", "np.arange(30, dtype=np.float32).reshape(5, 6)[::-2, ::-3]"),
    ("slice_then_rev", "np.arange(24, dtype=np.float32).reshape(4, 6)[1:3][:, ::-1]"),
    ("ellipsis_newaxis", "np.arange(24, dtype=np.float32).reshape(2, 3, 4)[..., None, 1]"),
    ("int_neg", "np.arange(24, dtype=np.float32).reshape(2, 3, 4)[-1, :, -2]"),
    ("reshape_of_transpose", "np.arange(12, dtype=np.float32).reshape(3, 4).T.reshape(2, 6)"),
    ("reshape_infer", "np.arange(24, dtype=np.float32).reshape(2, -1, 4)"),
    ("permute", "np.arange(24, dtype=np.float32).reshape(2, 3, 4).transpose(2, 0, 1)"),
    ("broadcast_to",
     "np.broadcast_to(np.arange(3, dtype=np.float32).reshape(3, 1), (2, 3, 4))"),
    ("assign",
     "a = np.zeros((3, 5), np.float32)\n"
     "a[1, 2:4] = [7, 8]\n"
     "a[:, 0] = 1\n"
     "a[::2, ::-2] = np.arange(3)\n"
     "a[-1, ...] += 10"),
    ("transpose_slice_assign",
     "a = np.arange(12, dtype=np.float32).reshape(3, 4)\n"
     "t = a.T.copy()\n"
     "t[1:3, ::-1] = np.array([[-1], [-2]], np.float32)"),
]

VIEW_RESULT_VAR = {"chain": "v", "chain_write": "w", "assign": "a",
                   "transpose_slice_assign": "t"}

VIEW_EXPECTED_SHAPES = {"chain": (3, 3), "ellipsis_newaxis": (2, 3, 1)}


def gen_views():
    manifest = []
    for name, code in VIEW_CASES:
        if name in VIEW_RESULT_VAR:
            namespace = {"np": np}
            exec(code, namespace)
            result = namespace[VIEW_RESULT_VAR[name]]
        else:
            result = eval(code, {"np": np})
        assert result.dtype == np.float32, (name, result.dtype)
        if name in VIEW_EXPECTED_SHAPES:
            assert result.shape == VIEW_EXPECTED_SHAPES[name], (name, result.shape)
        save(f"view_{name}", result)
        manifest.append({"name": name, "expr": code})
    return manifest


# ---------------------------------------------------------------------------
# 3. reductions
# ---------------------------------------------------------------------------

AXES = [("all", None), ("0", 0), ("1", 1), ("2", 2), ("m1", -1), ("m2", -2),
        ("m3", -3), ("0_2", (0, 2)), ("m1_0", (-1, 0)), ("0_1_2", (0, 1, 2))]


def gen_reductions():
    # x = (((np.arange(24) * 5) % 11 - 5) / 2.0).reshape(2, 3, 4)   (float64, has ties)
    x = (((np.arange(24) * 5) % 11 - 5) / 2.0).reshape(2, 3, 4)
    # xi = ((np.arange(24) * 7) % 10 - 4).reshape(2, 3, 4).astype(np.int64)
    xi = ((np.arange(24) * 7) % 10 - 4).reshape(2, 3, 4).astype(np.int64)
    save("red_f8_input", x)
    save("red_i8_input", xi)

    # np.<op>(x, axis=axis, keepdims=keepdims)  (ddof=... for var/std)
    f8_ops = ["sum", "mean", "max", "min", "prod", "var", "std", "argmax", "argmin"]
    i8_ops = ["sum", "prod", "max", "min", "argmax", "argmin"]
    manifest = []

    def run(dtag, arr, op, atag, axis, keepdims, ddof=None):
        kwargs = {"axis": axis, "keepdims": keepdims}
        if ddof is not None:
            kwargs["ddof"] = ddof
        result = np.asarray(getattr(np, op)(arr, **kwargs))
        if op in ("argmax", "argmin") or dtag == "i8":
            assert result.dtype == np.int64, (dtag, op, result.dtype)
        else:
            assert result.dtype == np.float64, (dtag, op, result.dtype)
        opname = op if ddof in (None, 0) else f"{op}_ddof{ddof}"
        fname = f"red_{dtag}_{opname}_{atag}_{'k' if keepdims else 'n'}"
        save(fname, result)
        entry = {"dtype": dtag, "op": op,
                 "axis": list(axis) if isinstance(axis, tuple) else axis,
                 "keepdims": keepdims, "file": fname + ".npy"}
        if op in ("var", "std"):
            entry["ddof"] = ddof
        manifest.append(entry)

    for dtag, arr, ops in (("f8", x, f8_ops), ("i8", xi, i8_ops)):
        for op in ops:
            for atag, axis in AXES:
                if op in ("argmax", "argmin") and isinstance(axis, tuple):
                    continue  # argmax/argmin take only None or a single int
                for keepdims in (True, False):
                    run(dtag, arr, op, atag, axis, keepdims,
                        ddof=0 if op in ("var", "std") else None)

    # np.var(x, axis=axis, ddof=1, keepdims=...), same for np.std
    for op in ("var", "std"):
        for atag, axis in (("all", None), ("1", 1), ("m1", -1)):
            for keepdims in (True, False):
                run("f8", x, op, atag, axis, keepdims, ddof=1)
    return manifest


# ---------------------------------------------------------------------------
# 4. matmul
# ---------------------------------------------------------------------------

def gen_matmul():
    # (name, op, a_shape, b_shape, dtype); inputs for case i come from
    # rng = np.random.default_rng(100 + i); a = rng.standard_normal(a_shape);
    # b = rng.standard_normal(b_shape)   (then cast to float32 for "f4").
    cases = [
        ("2d", "matmul", [3, 4], [4, 5], "f8"),             # np.matmul(a, b) -> [3,5]
        ("vec_mat", "matmul", [4], [4, 5], "f8"),           # -> [5]
        ("mat_vec", "matmul", [3, 4], [4], "f8"),           # -> [3]
        ("vec_vec", "matmul", [4], [4], "f8"),              # -> [] (0-d)
        ("batch_mat", "matmul", [2, 3, 4], [4, 5], "f8"),   # -> [2,3,5]
        ("bcast_batch", "matmul", [2, 1, 3, 4], [5, 4, 2], "f8"),  # -> [2,5,3,2]
        ("mat_batch", "matmul", [3, 4], [2, 4, 5], "f8"),   # -> [2,3,5]
        ("bcast_both", "matmul", [1, 3, 4], [2, 1, 4, 5], "f8"),   # -> [2,1,3,5]
        ("vec_batch", "matmul", [4], [2, 4, 3], "f8"),      # -> [2,3]
        ("batch_vec", "matmul", [2, 3, 4], [4], "f8"),      # -> [2,3]
        ("dot_nd", "dot", [2, 3, 4], [5, 4, 6], "f8"),      # np.dot(a, b) -> [2,3,5,6]
        ("dot_mat_vec", "dot", [2, 3], [3], "f8"),          # np.dot(a, b) -> [2]
        ("outer", "outer", [3], [4], "f8"),                 # np.outer(a, b) -> [3,4]
        ("f32_2d", "matmul", [5, 7], [7, 3], "f4"),         # float32 matmul -> [5,3]
        # Pairs that NumPy rejects (manifest only):
        ("bad_inner", "matmul", [2, 3], [4, 5], "f8"),
        ("bad_vec_vec", "matmul", [3], [4], "f8"),
        ("bad_batch", "matmul", [2, 2, 3, 4], [3, 4, 5], "f8"),
    ]
    funcs = {"matmul": np.matmul, "dot": np.dot, "outer": np.outer}
    dtypes = {"f8": np.float64, "f4": np.float32}
    manifest = []
    for i, (name, op, a_shape, b_shape, dt) in enumerate(cases):
        rng = np.random.default_rng(100 + i)
        a = rng.standard_normal(a_shape).astype(dtypes[dt])
        b = rng.standard_normal(b_shape).astype(dtypes[dt])
        try:
            out = np.asarray(funcs[op](a, b))
            ok = True
        except ValueError:
            ok = False
        assert ok == (not name.startswith("bad_")), name
        entry = {"name": name, "op": op, "a_shape": a_shape, "b_shape": b_shape,
                 "ok": ok, "dtype": dt}
        if ok:
            assert out.dtype == dtypes[dt], (name, out.dtype)
            entry["out_shape"] = shape_list(out.shape)
            save(f"mm_{name}_a", a)
            save(f"mm_{name}_b", b)
            save(f"mm_{name}_out", out)
        else:
            entry["out_shape"] = None
        manifest.append(entry)
    return manifest


# ---------------------------------------------------------------------------
# 5. unary
# ---------------------------------------------------------------------------

def gen_unary():
    names = None
    for dt, dtype in (("f8", np.float64), ("f4", np.float32)):
        # x = np.linspace(-3, 3, 13).astype(dtype)
        x = np.linspace(-3, 3, 13).astype(dtype)
        # p = np.linspace(0.25, 4, 16).astype(dtype)
        p = np.linspace(0.25, 4, 16).astype(dtype)
        save(f"un_{dt}_x", x)
        save(f"un_{dt}_p", p)
        outputs = {
            "exp": np.exp(x),                       # np.exp(x)
            "tanh": np.tanh(x),                     # np.tanh(x)
            "abs": np.abs(x),                       # np.abs(x)
            "neg": -x,                              # -x
            "clip": np.clip(x, -0.5, 0.7),          # np.clip(x, -0.5, 0.7)
            "log": np.log(p),                       # np.log(p)
            "sqrt": np.sqrt(p),                     # np.sqrt(p)
            "pow": np.power(p, 2.5),                # np.power(p, 2.5)
            "max_scalar": np.maximum(x, 0.5),       # np.maximum(x, 0.5)
            "min_scalar": np.minimum(x, 0.5),       # np.minimum(x, 0.5)
            "rsub": 2 - x,                          # 2 - x
            "rdiv": 1 / p,                          # 1 / p
            "where": np.where(x > 0, x, 0.1 * x),   # np.where(x > 0, x, 0.1 * x)
        }
        for name, out in outputs.items():
            assert out.dtype == dtype, (dt, name, out.dtype)
            save(f"un_{dt}_{name}", out)
        names = list(outputs)
    return names


# ---------------------------------------------------------------------------
# 6. softmax
# ---------------------------------------------------------------------------

def stable_softmax_parts(z, axis):
    """Return (softmax, log_softmax, logsumexp) of z along axis, in float64.

    Uses the max-shift trick. A slice that is entirely -inf gets softmax 0,
    log_softmax -inf and logsumexp -inf (instead of NaN).
    """
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isneginf(m), 0.0, m)          # all -inf slice: shift by 0
    shifted = z - m                               # -inf stays -inf
    e = np.exp(shifted)                           # exp(-inf) = 0
    s = np.sum(e, axis=axis, keepdims=True)       # 0 for an all -inf slice
    log_s = np.log(s)                             # log(0) = -inf
    lse = m + log_s
    softmax = np.where(s > 0, e / np.where(s > 0, s, 1.0), 0.0)
    log_softmax = np.where(s > 0, shifted - log_s, -np.inf)
    return softmax, log_softmax, np.squeeze(lse, axis=axis)


def gen_softmax():
    z = np.array([
        np.linspace(-2, 2, 5),                 # row 0: ordinary values
        [1e4, -1e4, 0, 1e4, 5],                # row 1: huge magnitudes, a tie
        [-np.inf] * 5,                         # row 2: all -inf
        [-np.inf, 0, 1, -np.inf, 2],           # row 3: some -inf
    ], dtype=np.float64)
    save("sm_logits", z)
    # An independent check of the ordinary row: the textbook formula.
    row = np.exp(z[0]) / np.exp(z[0]).sum()
    with np.errstate(all="ignore"):
        assert np.allclose(stable_softmax_parts(z, -1)[0][0], row, rtol=1e-15, atol=0)
    names = []
    with np.errstate(all="ignore"):
        for tag, axis in (("m1", -1), ("0", 0)):
            softmax, log_softmax, lse = stable_softmax_parts(z, axis)
            for name, out in (("softmax", softmax), ("log_softmax", log_softmax),
                              ("logsumexp", lse)):
                assert out.dtype == np.float64
                assert not np.isnan(out).any(), (name, tag)
                save(f"sm_{name}_{tag}", out)
                names.append(f"sm_{name}_{tag}")
    return names


# ---------------------------------------------------------------------------
# 7. join
# ---------------------------------------------------------------------------

def gen_join():
    files = []

    def put(name, arr):
        save(f"join_{name}", arr)
        files.append(f"join_{name}.npy")

    p = np.arange(6, dtype=np.float32).reshape(2, 3)
    q = np.arange(6, 12, dtype=np.float32).reshape(2, 3)
    r = np.arange(12, 21, dtype=np.float32).reshape(3, 3)

    # np.concatenate([p, q, r], axis=0)
    put("concat0", np.concatenate([p, q, r], axis=0))
    # np.concatenate([p, q], axis=1)
    put("concat1", np.concatenate([p, q], axis=1))
    # np.concatenate([p, q, p], axis=-1)
    put("concat_m1", np.concatenate([p, q, p], axis=-1))
    # np.stack([p, q], axis=0), axis=1, axis=2, axis=-1
    put("stack0", np.stack([p, q], axis=0))
    put("stack1", np.stack([p, q], axis=1))
    put("stack2", np.stack([p, q], axis=2))
    put("stack_m1", np.stack([p, q], axis=-1))

    s = np.arange(24, dtype=np.float32).reshape(4, 6)
    # np.split(s, 3, axis=1)[i]
    for i, part in enumerate(np.split(s, 3, axis=1)):
        put(f"split3_ax1_{i}", part)
    # np.split(s, [1, 3], axis=0)[i]
    for i, part in enumerate(np.split(s, [1, 3], axis=0)):
        put(f"split_idx_ax0_{i}", part)

    t = np.arange(12, dtype=np.float32).reshape(3, 4)
    # np.take(t, [2, 0, -1, 2], axis=0)
    idx = np.array([2, 0, -1, 2], np.int64)
    put("take_ax0_idx", idx)
    put("take_ax0", np.take(t, idx, axis=0))
    # np.take(t, [[0, 3], [-1, 1]], axis=1)   -> shape [3, 2, 2]
    idx = np.array([[0, 3], [-1, 1]], np.int64)
    put("take_ax1_2d_idx", idx)
    put("take_ax1_2d", np.take(t, idx, axis=1))
    # np.take(t, [11, 0, -1])   (axis=None: flat index)
    idx = np.array([11, 0, -1], np.int64)
    put("take_flat_idx", idx)
    put("take_flat", np.take(t, idx))

    # idx = np.argsort(-t, axis=1)[:, :2]; np.take_along_axis(t, idx, axis=1)
    idx = np.argsort(-t, axis=1)[:, :2].astype(np.int64)
    put("tala_idx", idx)
    put("tala", np.take_along_axis(t, idx, axis=1))
    # idx0 = np.array([[2, 0, 1, 1]]); np.take_along_axis(t, idx0, axis=0)
    idx0 = np.array([[2, 0, 1, 1]], np.int64)
    put("tala0_idx", idx0)
    put("tala0", np.take_along_axis(t, idx0, axis=0))

    # ids = np.array([[0, 3], [2, 2], [1, 0]]); np.eye(4, dtype=np.float32)[ids]
    ids = np.array([[0, 3], [2, 2], [1, 0]], np.int64)
    put("onehot_ids", ids)
    onehot = np.eye(4, dtype=np.float32)[ids]
    assert onehot.shape == (3, 2, 4)
    put("onehot", onehot)
    return files


# ---------------------------------------------------------------------------
# 8. printing
# ---------------------------------------------------------------------------

SWIFT_TYPE = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double",
              np.dtype(np.int32): "Int32", np.dtype(np.int64): "Int",
              np.dtype(np.bool_): "Bool"}


def debug_repr(a):
    """Our Swift debugDescription: NumPy's own repr layout (np.array_repr),
    except that the shape and the Swift element type are always named, e.g.
    'array([1, 2], shape=[2], dtype=Int)'. Like NumPy, the extras move to a
    new line when they would pass the 75-character line width."""
    prefix = "array("
    if a.size == 0:
        body = "[]"
    else:
        body = np.array2string(a, separator=", ", prefix=prefix, suffix=")")
    extras = ("shape=[" + ", ".join(str(d) for d in a.shape) + "], dtype="
              + SWIFT_TYPE[a.dtype] + ")")
    text = prefix + body + ","
    last_line = len(text) - (text.rfind("\n") + 1)
    spacer = "\n" + " " * len(prefix) if last_line + len(extras) + 1 > 75 else " "
    return text + spacer + extras


def gen_printing():
    # np.set_printoptions() with no arguments changes nothing, so reset every
    # option to NumPy's documented default explicitly (legacy=False).
    np.set_printoptions(edgeitems=3, threshold=1000, floatmode="maxprec",
                        precision=8, suppress=False, linewidth=75, nanstr="nan",
                        infstr="inf", sign="-", formatter=None, legacy=False)
    f4, f8, i4, i8 = np.float32, np.float64, np.int32, np.int64
    cases = [
        ("mixed", np.array([1.5, 2.25, 3], f4)),
        ("neg", np.array([-1.5, 0, 2.25], f4)),
        ("grid", np.arange(12, dtype=f4).reshape(3, 4)),
        ("expo", np.array([1e-5, 1, 1e5], f4)),
        ("big", np.array([1e9, 1], f4)),
        ("tenths", np.array([0.1, 0.2, 0.3], f4)),
        ("nonfinite", np.array([np.nan, np.inf, -np.inf, 1.5], f4)),
        ("thirds_f8", np.array([1 / 3, 2 / 3, 1], f8)),
        ("zeros", np.zeros(3, f4)),
        ("cube", np.arange(8, dtype=f4).reshape(2, 2, 2)),
        ("ints_i8", np.arange(10, dtype=i8)),
        ("ints_i4", np.array([[-1, 10], [100, -1000]], i4)),
        ("bools", np.array([True, False, True])),
        ("scalar", np.array(3.5, f4)),                               # 0-d
        ("scalar_i8", np.array(7, i8)),                              # 0-d
        ("empty", np.zeros(0, f4)),
        ("empty2", np.zeros((2, 0), f4)),
        ("wrap", (np.arange(40) / 7).astype(f4)),                    # wraps lines
        ("wrap_i8", np.arange(100, dtype=i8) * 1000),                # wraps lines
        ("sum_i8", np.arange(2000, dtype=i8)),                       # summarized
        ("sum_f4", (np.arange(2000) / 3).astype(f4)),                # summarized
        ("sum_2d", (np.arange(10000).reshape(100, 100) / 7).astype(f4)),
        ("sum_cols_i8", np.arange(1500, dtype=i8).reshape(3, 500)),
        ("sum_3d", np.arange(2400, dtype=f4).reshape(2, 3, 400)),
        ("hundred_million", np.array([123456789.0, 1], f4)),
        ("ratio", np.array([0.0001, 1000], f4)),
        ("negzero", np.array([-0.0, 1], f4)),
        ("tiny", np.array([1e-30, 1], f4)),
        ("tiny_f8", np.array([1e-300, 1], f8)),
        ("mixed_f8", np.array([123.456, 0.001], f8)),
        ("half_tie_f8", np.array([0.001953125, 1], f8)),
        ("long_f8", np.array([np.pi, np.e, 1e-3], f8)),
        ("bools_2d", np.array([[True, False, True], [False, False, True]])),
        ("nan_only", np.array([np.nan, np.nan], f4)),
        ("neg_ints_i8", np.array([-5, 3, -100], i8)),
        # The dtype-dependent cutoffs: float32 arrays turn scientific at 1e6,
        # float64 arrays at 1e8; float32 scalars at 1e6, float64 scalars at 1e16.
        ("cut_f4", np.array([2e6, 3e6], f4)),
        ("cut_f8", np.array([2e6, 3e6], f8)),
        ("cut_big_f8", np.array([2e8, 3e8], f8)),
        ("scalar_1e6_f4", np.array(1e6, f4)),
        ("scalar_999999_f4", np.array(999999, f4)),
        ("scalar_1e15_f8", np.array(1e15, f8)),
        ("scalar_1e16_f8", np.array(1e16, f8)),
        ("scalar_small_f8", np.array(1.5e-5, f8)),
        ("scalar_third_f4", np.array(1 / 3, f4)),
        ("scalar_nan_f4", np.array(np.nan, f4)),
        ("scalar_bool", np.array(True)),
    ]
    manifest = []
    for name, a in cases:
        save(f"pr_{name}", a)
        manifest.append({"name": name, "str": str(a), "repr": debug_repr(a)})
    # `wrap` and `wrap_i8` are longer than the 75-character line width.
    by_name = {m["name"]: m for m in manifest}
    assert "\n" in by_name["wrap"]["str"] and "\n" in by_name["wrap_i8"]["str"]
    return manifest


# ---------------------------------------------------------------------------
# 9. npy
# ---------------------------------------------------------------------------

SUPPORTED_DESCRS = {"<f4", "<f8", "<i4", "<i8", ">f4", ">f8", ">i4", ">i8", "|b1"}


def npy_bytes(array, version=None):
    """The bytes np.lib.format.write_array writes for ``array``."""
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def v1_file(header_text, data):
    """A version 1.0 .npy file with a hand-written header text, padded (with
    spaces and a final newline) so that magic + header is a multiple of 64."""
    body = header_text.encode("latin1")
    total = 10 + len(body) + 1
    body += b" " * ((-total) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body + data


def describe_npy(path):
    """Manifest entry fields for one .npy file, as NumPy sees it."""
    try:
        arr = np.load(path, allow_pickle=False)
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except Exception:  # noqa: BLE001 - any failure means "NumPy cannot load it"
        return {"ok": False, "dtype": None, "shape": None, "fortran_order": None,
                "version": None, "values": None}
    descr = np.lib.format.dtype_to_descr(dtype)
    ok = descr in SUPPORTED_DESCRS
    return {"ok": ok, "dtype": descr, "shape": shape_list(shape),
            "fortran_order": bool(fortran), "version": list(version),
            "values": arr.ravel(order="C").tolist() if ok else None}


def gen_npy():
    names = []

    def put(name, data):
        write_bytes(f"npy_{name}", data)
        names.append(name)

    # write_array(f, np.arange(6, dtype='<f4').reshape(2, 3), version=(1, 0))
    put("v1_f4", npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3), version=(1, 0)))
    # write_array(f, np.arange(6, dtype='<f8').reshape(3, 2), version=(2, 0))
    put("v2_f8", npy_bytes(np.arange(6, dtype="<f8").reshape(3, 2), version=(2, 0)))
    # write_array(f, np.arange(4, dtype='<i4'), version=(3, 0))
    put("v3_i4", npy_bytes(np.arange(4, dtype="<i4"), version=(3, 0)))

    # The rest of the valid files use np.save.
    valid = [
        ("fortran_f8", np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4))),
        ("i4", np.arange(5, dtype="<i4")),
        ("i8", np.arange(5, dtype="<i8")),
        ("be_f4", np.arange(6, dtype=">f4").reshape(2, 3)),
        ("be_i8", np.arange(4, dtype=">i8")),
        ("scalar_f8", np.array(2.5)),
        ("empty_f4", np.zeros((0, 3), "<f4")),
        ("bool", np.array([True, False, True])),
        ("big_dims_f4", np.zeros((1, 1, 1, 2, 1), "<f4")),
        # Valid NumPy files whose dtype our library does not support:
        ("f2", np.arange(3, dtype=np.float16)),
        ("c8", np.array([1 + 2j, -0.5j], np.complex64)),
        ("u2", np.arange(3, dtype=np.uint16)),
        ("str", np.array(["ab"])),
    ]
    for name, arr in valid:
        save(f"npy_{name}", arr)
        names.append(name)

    # Corrupt files, derived from a valid v1 '<f4' [2, 3] file `good`.
    good = npy_bytes(np.arange(6, dtype="<f4").reshape(2, 3), version=(1, 0))
    header_len = int.from_bytes(good[8:10], "little")
    data = good[10 + header_len:]
    assert len(data) == 24
    put("good", good)
    # first magic byte 0x93 -> 0x92
    put("bad_magic", b"\x92" + good[1:])
    # only b'\x93NUM'
    put("truncated_magic", good[:4])
    # cut in the middle of the header text
    put("truncated_header", good[:10 + header_len // 2])
    # last 5 data bytes missing
    put("truncated_data", good[:-5])
    # version bytes (9, 0)
    put("bad_version", good[:6] + b"\x09\x00" + good[8:])
    # header length field 4000 (> file size)
    assert len(good) < 4000
    put("header_len_too_big", good[:8] + (4000).to_bytes(2, "little") + good[10:])
    # header without 'shape'
    put("no_shape", v1_file("{'descr': '<f4', 'fortran_order': False, }", data))
    # negative dimension
    put("bad_shape", v1_file(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", data))
    # fortran_order is not a bool literal
    put("bad_fortran", v1_file(
        "{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 3), }", data))
    # header text is not a dict literal
    put("garbage_header", v1_file("hello world", data))
    # a valid file followed by 4 extra bytes
    put("extra_data", good + b"\x00\x00\x00\x00")

    manifest = []
    for name in names:
        entry = {"name": name}
        entry.update(describe_npy(OUT_DIR / f"npy_{name}.npy"))
        manifest.append(entry)
    return manifest


# ---------------------------------------------------------------------------
# 10. random (manifest only)
# ---------------------------------------------------------------------------

MASK64 = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class Xoshiro256StarStar:
    """xoshiro256** seeded with SplitMix64, plus the derived distributions."""

    def __init__(self, seed):
        sm = seed & MASK64

        def splitmix_next():
            nonlocal sm
            sm = (sm + 0x9E3779B97F4A7C15) & MASK64
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
            return z ^ (z >> 31)

        self.s = [splitmix_next() for _ in range(4)]
        self.spare = None

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform_f32(self):
        return (self.next() >> 40) * 2.0 ** -24   # exact in float32

    def uniform_f64(self):
        return (self.next() >> 11) * 2.0 ** -53

    def bounded(self, n):
        """Lemire's nearly-divisionless method: uniform integer in [0, n)."""
        m = self.next() * n
        lo = m & MASK64
        if lo < n:
            t = ((1 << 64) - n) % n
            while lo < t:
                m = self.next() * n
                lo = m & MASK64
        return m >> 64

    def normal(self, log=math.log,
               sin_cos_of_turns=lambda t: (math.sin(2.0 * math.pi * t), math.cos(2.0 * math.pi * t))):
        """Box-Muller, returning the cached sine half on every second call.
        By default with the C library's log, sin and cos; portable_normal passes
        the library's own."""
        if self.spare is not None:
            value, self.spare = self.spare, None
            return value
        u1 = 1.0 - self.uniform_f64()
        u2 = self.uniform_f64()
        radius = math.sqrt(-2.0 * log(u1))
        sine, cosine = sin_cos_of_turns(u2)
        self.spare = radius * sine
        return radius * cosine


# The library's own log and sin/cos (Sources/NDArray/Creation/SeededGenerator.swift,
# PortableMath), ported operation for operation. They use + - * / and sqrt only,
# which IEEE 754 rounds the same everywhere (Python's floats included), so the
# normal draws below are the exact bits every platform must reproduce.

LN2_HIGH = 6.93147180369123816490e-01
LN2_LOW = 1.90821492927058770002e-10


def portable_factorial(n):
    result = 1.0
    for i in range(1, max(n, 1) + 1):
        result *= float(i)
    return result


SINE_COEFFICIENTS = [(1.0 if k % 2 == 0 else -1.0) / portable_factorial(2 * k + 1) for k in range(9)]
COSINE_COEFFICIENTS = [(1.0 if k % 2 == 0 else -1.0) / portable_factorial(2 * k) for k in range(9)]


def portable_log(x):
    m, e = math.frexp(x)          # x = m * 2**e, m in [0.5, 1)
    m, e = m * 2.0, float(e - 1)  # Swift's significand in [1, 2) and exponent
    if m > 1.4142135623730951:
        m /= 2.0
        e += 1.0
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    series = 0.0
    for k in range(11, -1, -1):
        series = series * z + 1.0 / float(2 * k + 1)
    return e * LN2_HIGH + (e * LN2_LOW + 2.0 * s * series)


def portable_sin_cos_of_turns(t):
    x = t * 4.0
    q = math.floor(x)
    if x - q >= 0.5:              # Swift's rounded(): to nearest, ties away from zero
        q += 1.0
    r = t - q / 4.0
    phi = r * 6.283185307179586
    p2 = phi * phi
    sine = cosine = 0.0
    for k in range(8, -1, -1):
        sine = sine * p2 + SINE_COEFFICIENTS[k]
        cosine = cosine * p2 + COSINE_COEFFICIENTS[k]
    sine *= phi
    quadrant = int(q) % 4
    return [(sine, cosine), (cosine, -sine), (-sine, -cosine), (-cosine, sine)][quadrant]


def portable_normal(g):
    """Box-Muller exactly as the Swift library computes it."""
    return g.normal(log=portable_log, sin_cos_of_turns=portable_sin_cos_of_turns)


def gen_random():
    manifest = []
    for seed in (0, 42, 2 ** 64 - 59):
        def fresh():
            return Xoshiro256StarStar(seed)
        g = fresh()
        raw = [str(g.next()) for _ in range(6)]
        g = fresh()
        uniform_f32 = [g.uniform_f32() for _ in range(6)]
        assert all(float(np.float32(u)) == u for u in uniform_f32)
        g = fresh()
        uniform_f64 = [g.uniform_f64() for _ in range(6)]
        g = fresh()
        bounded_10 = [g.bounded(10) for _ in range(8)]
        g = fresh()
        bounded_big = [str(g.bounded(2 ** 63 + 7)) for _ in range(4)]
        g = fresh()
        normal = [g.normal() for _ in range(7)]
        g = fresh()
        # 201 draws: enough to reach both halves of every quadrant of the sine and cosine.
        portable = [portable_normal(g) for _ in range(201)]
        assert max(abs(a - b) for a, b in zip(portable, normal)) < 1e-13
        manifest.append({"seed": str(seed), "raw": raw, "uniform_f32": uniform_f32,
                         "uniform_f64": uniform_f64, "bounded_10": bounded_10,
                         "bounded_big": bounded_big, "normal": normal,
                         "normal_bits": [str(struct.unpack("<Q", struct.pack("<d", v))[0]) for v in portable]})
    return manifest


# ---------------------------------------------------------------------------

def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in list(OUT_DIR.glob("*.npy")) + [OUT_DIR / "manifest.json"]:
        if old.exists():
            old.unlink()

    manifest = {"numpy_version": np.__version__}
    manifest["broadcast"] = gen_broadcast()
    manifest["views"] = gen_views()
    manifest["reductions"] = gen_reductions()
    manifest["matmul"] = gen_matmul()
    manifest["unary"] = gen_unary()
    manifest["softmax"] = gen_softmax()
    manifest["join"] = gen_join()
    manifest["printing"] = gen_printing()
    manifest["npy"] = gen_npy()
    manifest["random"] = gen_random()

    with open(OUT_DIR / "manifest.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, allow_nan=False)
        fh.write("\n")

    files = sorted(OUT_DIR.iterdir())
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files ({total} bytes) to {os.path.relpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
