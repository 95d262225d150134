#!/usr/bin/env python3
"""Generate the loader-verdict corpora: edge-case .npy and .safetensors files,
each with what the reference reader decides about it.

What this is
------------
Our Swift readers for ``.npy`` (NDArray) and ``.safetensors`` (GPT) should
accept exactly the files the reference readers accept, and read the same
dtype, shape and values from them. This script writes small hand-built files,
most of them bending or breaking one rule of the format, runs the reference
reader on each and records its verdict:

Tests/NDArrayTests/Fixtures/verdicts/npy/
    <case>.npy        one file per case (each well under 4 KB)
    verdicts.json     case file name -> verdict, decided by
                      ``np.load(path, allow_pickle=False)``

Tests/GPTTests/Fixtures/verdicts/safetensors/
    <case>.safetensors
    verdicts.json     case file name -> verdict, decided by
                      ``safetensors.numpy.load(open(path, "rb").read())``
                      (which reads every tensor)

Verdict fields (both folders):
    what          one line saying what the case does
    accepts       true when the reader returned, false when it raised
    reason        "" when accepted, else "<ExceptionType>: <message>", cut to
                  200 characters
  .npy, when accepted:
    dtype         ``arr.dtype.str`` (e.g. "<f4", "|b1", ">f4")
    shape         list of ints
    values        the values in C order (only when size <= 64); bools as
                  true/false, complex numbers as [real, imag] pairs
    fortran_order what the header said
  .safetensors, when accepted:
    tensors       {name: {"dtype": "F32", "shape": [...], "values": [...]}}
                  ("values" in C order, only when size <= 64)
    metadata      the "__metadata__" dict as ``safe_open(...).metadata()``
                  returns it, or null
  .safetensors, only when it differs from "accepts":
    safe_open_accepts, safe_open_reason
                  the verdict of ``safe_open(path, framework="np")`` followed
                  by ``get_tensor`` for every key
  .safetensors, only when the header parses but NumPy has no such dtype
  (BF16, the F8 formats):
    torch_accepts, torch_reason, torch_tensors
                  the verdict of ``safetensors.torch.load`` on the same bytes

Every case is described in the table below (``npy_cases`` and
``safetensors_cases``); the file name is the case name. Data never holds NaN.

The output folders are found relative to this file. On every run the script
first deletes the old case files and verdicts.json in them, then writes
everything again. The output is deterministic: no randomness, no timestamps,
JSON with sorted keys; running it twice gives byte-identical files. Verdicts
were recorded with numpy 2.4.6 and safetensors 0.8.0 (see
scripts/requirements-fixtures.txt); the versions are stored in each
verdicts.json under "_versions".

How to run (from the repository root)
-------------------------------------
    python3 -m venv .venv && .venv/bin/pip install numpy safetensors torch \
        && .venv/bin/python scripts/make_loader_verdicts.py

(torch is only needed for the "torch_accepts" fields; without it those fields
are left out.)
"""

import json
import math
import os
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import safetensors
from safetensors import deserialize, safe_open
import safetensors.numpy

try:
    import torch
    import safetensors.torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

ROOT = Path(__file__).resolve().parent.parent
NPY_DIR = ROOT / "Tests" / "NDArrayTests" / "Fixtures" / "verdicts" / "npy"
ST_DIR = ROOT / "Tests" / "GPTTests" / "Fixtures" / "verdicts" / "safetensors"

MAX_VALUES = 64
MAX_REASON = 200


def reason_of(exc, folder):
    """``"<Type>: <message>"`` without machine paths, cut to 200 chars."""
    text = f"{type(exc).__name__}: {exc}"
    text = text.replace(str(folder) + os.sep, "").replace(str(folder), "")
    text = re.sub(r" object at 0x[0-9a-fA-F]+>", " object>", text)  # no addresses
    text = " ".join(text.split())  # one line
    return text[:MAX_REASON]


def json_values(arr):
    """Flat C-order values as JSON-friendly Python objects."""
    flat = np.asarray(arr).reshape(-1)
    if flat.dtype.kind == "c":
        return [[float(v.real), float(v.imag)] for v in flat]
    if flat.dtype.kind == "b":
        return [bool(v) for v in flat]
    if flat.dtype.kind in "iu":
        return [int(v) for v in flat]
    if flat.dtype.kind == "f":
        out = [float(v) for v in flat]
        assert all(math.isfinite(v) for v in out), "keep NaN/inf out of the data"
        return out
    raise TypeError(f"no JSON values for dtype {flat.dtype}")


# ===========================================================================
# 1. .npy
# ===========================================================================

MAGIC = b"\x93NUMPY"


def npy(header, data=b"", version=(1, 0), *, magic=MAGIC, align=64,
        newline=True, encoding=None, header_len=None, raw_header=None):
    """A .npy file with a hand-written header.

    ``header`` is the Python-literal dict text. It is padded with spaces (and
    a final "\\n" unless ``newline`` is False) so that magic + version +
    length field + header is a multiple of ``align`` (no padding when
    ``align`` is None). The length field is a little-endian u16 for version
    1.x and a u32 otherwise; ``header_len`` overrides the value stored in it.
    ``raw_header`` gives the header bytes exactly (no padding, no encoding).
    """
    major, minor = version
    len_size = 2 if major == 1 else 4
    if raw_header is None:
        if encoding is None:
            encoding = "utf8" if major >= 3 else "latin1"
        body = header.encode(encoding)
        if align is not None:
            total = len(magic) + 2 + len_size + len(body) + (1 if newline else 0)
            body += b" " * ((-total) % align)
        if newline:
            body += b"\n"
    else:
        body = raw_header
    length = len(body) if header_len is None else header_len
    return (magic + bytes([major, minor]) + length.to_bytes(len_size, "little")
            + body + data)


def hdr(descr, shape, fortran=False, trailing_comma=True):
    """The header text np.save writes: ``{'descr': ..., 'fortran_order': ...,
    'shape': ..., }``. ``descr`` and ``shape`` are inserted verbatim."""
    text = f"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}"
    return text + (", }" if trailing_comma else "}")


def f4(n, start=0):
    return np.arange(start, start + n, dtype="<f4").tobytes()


def npy_cases():
    """(name, what, bytes) for every .npy case."""
    d6 = f4(6)                    # 24 bytes: six little-endian float32
    c = []

    def add(name, what, data):
        c.append((name, what, data))

    # --- valid files, as np.save writes them -------------------------------
    add("f4_2x3", "v1 '<f4' (2, 3), np.save's layout",
        npy(hdr("'<f4'", "(2, 3)"), d6))
    add("f8_3", "v1 '<f8' (3,)",
        npy(hdr("'<f8'", "(3,)"), np.array([0.5, -1.25, 3.0], "<f8").tobytes()))
    add("i4_2x2", "v1 '<i4' (2, 2) with negatives",
        npy(hdr("'<i4'", "(2, 2)"), np.array([-2, -1, 0, 2**31 - 1], "<i4").tobytes()))
    add("i8_4", "v1 '<i8' (4,) with values beyond 2**53",
        npy(hdr("'<i8'", "(4,)"),
            np.array([0, -1, 2**62, -(2**63)], "<i8").tobytes()))
    add("b1_3", "v1 '|b1' (3,)", npy(hdr("'|b1'", "(3,)"), b"\x01\x00\x01"))
    add("b1_byte2", "'|b1' whose data bytes are 0x02 and 0xff",
        npy(hdr("'|b1'", "(2,)"), b"\x02\xff"))
    add("f8_0d", "0-d '<f8', shape ()", npy(hdr("'<f8'", "()"),
                                            np.array(2.5, "<f8").tobytes()))
    add("f4_size0", "'<f4' (0, 3), no data bytes", npy(hdr("'<f4'", "(0, 3)")))
    add("f8_fortran", "'<f8' (2, 3) fortran_order True; data in column order",
        npy(hdr("'<f8'", "(2, 3)", fortran=True),
            np.arange(6, dtype="<f8").reshape(2, 3).T.copy().tobytes()))
    add("i4_fortran_3d", "'<i4' (2, 3, 2) fortran_order True",
        npy(hdr("'<i4'", "(2, 3, 2)", fortran=True),
            np.arange(12, dtype="<i4").reshape(2, 3, 2).T.copy().tobytes()))

    # --- dtype spellings ------------------------------------------------------
    add("descr_f4_no_order", "descr 'f4' (no byte-order character)",
        npy(hdr("'f4'", "(2, 3)"), d6))
    add("descr_eq_f4", "descr '=f4' (native order)", npy(hdr("'=f4'", "(2, 3)"), d6))
    add("descr_lt_b1", "descr '<b1'", npy(hdr("'<b1'", "(2,)"), b"\x00\x01"))
    add("descr_question", "descr '?'", npy(hdr("'?'", "(2,)"), b"\x01\x00"))
    add("descr_float32", "descr 'float32' (a dtype name)",
        npy(hdr("'float32'", "(2, 3)"), d6))
    add("descr_be_f4", "descr '>f4' (big-endian)",
        npy(hdr("'>f4'", "(2, 3)"), np.arange(6, dtype=">f4").tobytes()))
    add("descr_u1", "descr '|u1'", npy(hdr("'|u1'", "(4,)"), bytes([0, 1, 128, 255])))
    add("descr_f2", "descr '<f2' (float16)",
        npy(hdr("'<f2'", "(3,)"), np.array([1, -0.5, 65504], "<f2").tobytes()))
    add("descr_c8", "descr '<c8' (complex64)",
        npy(hdr("'<c8'", "(2,)"), np.array([1 + 2j, 3 - 0.5j], "<c8").tobytes()))
    add("descr_f5", "descr '<f5' (no such dtype)", npy(hdr("'<f5'", "(2, 3)"), d6))

    # --- number of dimensions -------------------------------------------------
    add("dims_64", "64 dimensions of size 1",
        npy(hdr("'<f4'", "(" + "1, " * 64 + ")"), f4(1)))
    add("dims_65", "65 dimensions of size 1",
        npy(hdr("'<f4'", "(" + "1, " * 65 + ")"), f4(1)))

    # --- sizes ------------------------------------------------------------------
    add("zero_overflow", "shape (0, 2**62, 2**62): size 0, other dims overflow",
        npy(hdr("'<f4'", f"(0, {2**62}, {2**62})")))
    add("zero_no_overflow", "shape (0, 2**30, 2**30): size 0, bytes fit in int64",
        npy(hdr("'<f4'", f"(0, {2**30}, {2**30})")))
    add("product_wraps", "shape (2**32, 2**32): the int64 product wraps to 0",
        npy(hdr("'<f4'", f"({2**32}, {2**32})")))
    add("dim_2_64", "shape (2**64,): does not fit in int64",
        npy(hdr("'<f4'", f"({2**64},)"), d6))
    add("huge_shape_tiny_data", "shape (1000000,) with 24 data bytes",
        npy(hdr("'<f4'", "(1000000,)"), d6))
    add("huge_shape_2_62", "shape (2**62,) with 24 data bytes",
        npy(hdr("'<f4'", f"({2**62},)"), d6))
    add("neg_dim", "shape (2, -3)", npy(hdr("'<f4'", "(2, -3)"), d6))
    add("neg_dims_pair", "shape (-2, -3): product +6 matches the data",
        npy(hdr("'<f4'", "(-2, -3)"), d6))
    add("shape_float", "shape (2.0, 3)", npy(hdr("'<f4'", "(2.0, 3)"), d6))
    add("shape_bool", "shape (True, 3): passes the int check, reshape refuses it",
        npy(hdr("'<f4'", "(True, 3)"), f4(3)))
    add("shape_list", "shape [2, 3] (a list, not a tuple)",
        npy(hdr("'<f4'", "[2, 3]"), d6))
    add("shape_one_no_comma", "shape (3): an int in Python, not a tuple",
        npy(hdr("'<f4'", "(3)"), f4(3)))
    add("shape_one_comma", "shape (3,)", npy(hdr("'<f4'", "(3,)"), f4(3)))
    add("header_crlf", "a header whose items are separated by CRLF",
        npy("{'descr': '<f4',\r\n'fortran_order': False,\r\n'shape': (3,), }", f4(3)))
    add("data_truncated", "'<f4' (2, 3) with only 20 data bytes",
        npy(hdr("'<f4'", "(2, 3)"), d6[:20]))
    add("data_trailing", "'<f4' (2, 3) followed by 4 extra bytes",
        npy(hdr("'<f4'", "(2, 3)"), d6 + b"\x00\x00\x80\x3f"))

    # --- header dict ------------------------------------------------------------
    add("key_missing", "no 'fortran_order' key",
        npy("{'descr': '<f4', 'shape': (2, 3), }", d6))
    add("key_extra", "an extra key 'x'",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1, }", d6))
    add("key_duplicate", "'shape' twice: (3, 2) then (2, 3)",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), "
            "'shape': (2, 3), }", d6))
    add("fortran_int", "fortran_order 0 (an int, not a bool)",
        npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", d6))
    add("no_trailing_comma", "dict without the trailing ', '",
        npy(hdr("'<f4'", "(2, 3)", trailing_comma=False), d6))
    add("double_quotes", "keys and descr in double quotes",
        npy('{"descr": "<f4", "fortran_order": False, "shape": (2, 3)}', d6))
    add("key_order", "keys in another order, no spaces",
        npy("{'shape':(2,3),'fortran_order':False,'descr':'<f4'}", d6))
    add("expr_rejected", "shape (2*3,): literal_eval refuses an expression",
        npy(hdr("'<f4'", "(2*3,)"), d6))
    add("not_a_dict", "header is the tuple ('<f4', False, (2, 3))",
        npy("('<f4', False, (2, 3))", d6))
    add("no_newline", "header padded with spaces, no final newline",
        npy(hdr("'<f4'", "(2, 3)"), d6, newline=False))
    add("not_aligned", "header not padded: magic+header is 70 bytes, not 64k",
        npy(hdr("'<f4'", "(2, 3)"), d6, align=None))
    add("v1_latin1_comment", "v1 header with a comment holding byte 0xe9 (latin1)",
        npy(hdr("'<f4'", "(2, 3)") + " # caf\xe9", d6))
    add("v3_utf8_comment", "v3 header with a comment holding 'é' in UTF-8",
        npy(hdr("'<f4'", "(2, 3)") + " # caf\xe9", d6, version=(3, 0)))
    add("v3_invalid_utf8", "v3 header with a lone byte 0xe9 (invalid UTF-8)",
        npy(hdr("'<f4'", "(2, 3)") + " # caf\xe9", d6, version=(3, 0),
            encoding="latin1"))

    # --- framing ------------------------------------------------------------------
    good = hdr("'<f4'", "(2, 3)")
    add("v2_f4", "version 2.0 (u32 header length)", npy(good, d6, version=(2, 0)))
    add("v3_f4", "version 3.0 (u32 header length, UTF-8)", npy(good, d6, version=(3, 0)))
    add("v4_f4", "unknown version 4.0 laid out like 2.0", npy(good, d6, version=(4, 0)))
    add("v1_1", "version 1.1 laid out like 1.0", npy(good, d6, version=(1, 1)))
    add("bad_magic", "magic b'\\x93NUMPZ'", npy(good, d6, magic=b"\x93NUMPZ"))
    add("header_len_past_eof", "header length field 4000, past the end of the file",
        npy(good, d6, header_len=4000))
    add("header_len_zero", "header length field 0", npy(good, d6, header_len=0))
    return c


def npy_verdict(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            arr = np.load(path, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - any failure is a rejection
            out = {"accepts": False, "reason": reason_of(exc, NPY_DIR)}
        else:
            out = {"accepts": True, "reason": "", "dtype": arr.dtype.str,
                   "shape": [int(d) for d in arr.shape],
                   "fortran_order": bool(arr.flags.f_contiguous
                                         and not arr.flags.c_contiguous)}
            if arr.size <= MAX_VALUES:
                out["values"] = json_values(arr)
    if caught:
        out["warnings"] = sorted({reason_of(w.message, NPY_DIR) for w in caught})
    return out


# ===========================================================================
# 2. .safetensors
# ===========================================================================

def st(header, data=b"", *, align=8, pad=b" ", header_len=None, prefix=b""):
    """A .safetensors file: u64 little-endian header length, header, data.

    ``header`` is a dict (dumped compactly in insertion order) or the header
    text/bytes exactly. The header is padded with ``pad`` to a multiple of
    ``align`` bytes (no padding when ``align`` is None). ``prefix`` goes in
    front of the header text (inside the counted length); ``header_len``
    overrides the stored length.
    """
    if isinstance(header, (dict, list)):
        header = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    if isinstance(header, str):
        header = header.encode("utf8")
    body = prefix + header
    if align is not None:
        body += pad * ((-len(body)) % align)
    length = len(body) if header_len is None else header_len
    return struct.pack("<Q", length) + body + data


def t(dtype, shape, begin, end, **extra):
    entry = {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}
    entry.update(extra)
    return entry


def safetensors_cases():
    """(name, what, bytes) for every .safetensors case."""
    d6 = f4(6)                    # 24 bytes: six little-endian float32
    one = {"x": t("F32", [2, 3], 0, 24)}
    c = []

    def add(name, what, data):
        c.append((name, what, data))

    def typed(name, dtype, np_dtype, values, shape=None, what=None):
        raw = np.array(values, dtype=np_dtype).tobytes()
        shape = [len(values)] if shape is None else shape
        add(name, what or f"one {dtype} tensor {shape}",
            st({"x": t(dtype, shape, 0, len(raw))}, raw))

    # --- valid files -----------------------------------------------------------
    typed("f32", "F32", "<f4", list(range(6)), [2, 3])
    typed("f64", "F64", "<f8", [0.5, -1.25, 3.0])
    typed("f16", "F16", "<f2", [1.0, -0.5, 65504.0])
    add("bf16", "one BF16 tensor [3]: bytes of 1.0, -2.0, 0.5",
        st({"x": t("BF16", [3], 0, 6)}, bytes.fromhex("803f00c0003f")))
    typed("i64", "I64", "<i8", [0, -1, 2**62, -(2**63)])
    typed("i32", "I32", "<i4", [-2, -1, 0, 2**31 - 1], [2, 2])
    typed("u8", "U8", "u1", [0, 1, 128, 255])
    typed("bool", "BOOL", "u1", [1, 0, 1])
    typed("bool_byte2", "BOOL", "u1", [2, 255], what="BOOL [2] with bytes 0x02, 0xff")
    typed("u16", "U16", "<u2", [0, 1, 65535])
    typed("u32", "U32", "<u4", [0, 1, 2**32 - 1])
    typed("u64", "U64", "<u8", [0, 1, 2**64 - 1])
    typed("i16", "I16", "<i2", [-32768, 0, 32767])
    typed("i8", "I8", "i1", [-128, 0, 127])
    add("f8_e4m3", "one F8_E4M3 tensor [2]: bytes 0x38 (1.0), 0xc0 (-2.0)",
        st({"x": t("F8_E4M3", [2], 0, 2)}, b"\x38\xc0"))
    add("f8_e5m2", "one F8_E5M2 tensor [2]: bytes 0x3c (1.0), 0xc0 (-2.0)",
        st({"x": t("F8_E5M2", [2], 0, 2)}, b"\x3c\xc0"))
    typed("c64", "C64", "<c8", [1 + 2j, 3 - 0.5j])
    add("scalar_0d", "a 0-d F32 tensor, shape []",
        st({"x": t("F32", [], 0, 4)}, f4(1, start=7)))
    add("size0", "an F32 tensor [0, 3] with offsets [0, 0]",
        st({"x": t("F32", [0, 3], 0, 0)}))
    add("size0_and_other", "[0] tensor at [4, 4] between two others",
        st({"a": t("F32", [1], 0, 4), "e": t("F32", [0], 4, 4),
            "b": t("F32", [1], 4, 8)}, f4(2)))
    add("two_tensors_reordered", "'b' holds bytes 0..8, 'a' bytes 8..24",
        st({"a": t("F32", [4], 8, 24), "b": t("I32", [2], 0, 8)},
           np.array([5, 6], "<i4").tobytes() + f4(4)))
    add("empty_header", "header {} and no data (0 tensors)", st({}))

    # --- dtypes -------------------------------------------------------------------
    add("dtype_unknown", "dtype 'F33'", st({"x": t("F33", [2, 3], 0, 24)}, d6))
    add("dtype_lowercase", "dtype 'f32'", st({"x": t("f32", [2, 3], 0, 24)}, d6))

    # --- shape --------------------------------------------------------------------
    add("shape_float", "shape [2.0, 3.0]", st({"x": t("F32", [2.0, 3.0], 0, 24)}, d6))
    add("shape_string", "shape ['2'] with 8 bytes",
        st({"x": t("F32", ["2"], 0, 8)}, f4(2)))
    add("shape_negative", "shape [-2, -3]", st({"x": t("F32", [-2, -3], 0, 24)}, d6))
    add("shape_2_64", "shape [2**64]", st({"x": t("F32", [2**64], 0, 24)}, d6))
    add("shape_product_overflow", "shape [2**32, 2**32, 0] with offsets [0, 0]",
        st({"x": t("F32", [2**32, 2**32, 0], 0, 0)}))
    add("size_mismatch", "shape [2, 3] F32 but offsets [0, 20]",
        st({"x": t("F32", [2, 3], 0, 20)}, d6[:20]))

    # --- data_offsets -------------------------------------------------------------
    add("offsets_float", "data_offsets [0.0, 24.0]",
        st({"x": t("F32", [2, 3], 0.0, 24.0)}, d6))
    add("offsets_reversed", "data_offsets [24, 0]", st({"x": t("F32", [2, 3], 24, 0)}, d6))
    add("offsets_three", "data_offsets [0, 24, 24]",
        st({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24, 24]}}, d6))
    add("offsets_overlap", "two [3] tensors at [0, 12] and [8, 20]",
        st({"a": t("F32", [3], 0, 12), "b": t("F32", [3], 8, 20)}, d6[:20]))
    add("offsets_same_range", "two [6] tensors both at [0, 24] (aliasing)",
        st({"a": t("F32", [6], 0, 24), "b": t("F32", [6], 0, 24)}, d6))
    add("offsets_gap", "two [2] tensors at [0, 8] and [16, 24], gap 8..16",
        st({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 16, 24)}, d6))
    add("offsets_past_end", "data_offsets [0, 24] with 20 data bytes",
        st(one, d6[:20]))
    add("offsets_not_from_0", "the only tensor at [4, 28] (bytes 0..4 unused)",
        st({"x": t("F32", [2, 3], 4, 28)}, b"\x00" * 4 + d6))
    add("trailing_bytes", "4 extra bytes after the last tensor",
        st(one, d6 + b"\x00\x00\x80\x3f"))

    # --- tensor entries, names, duplicates ----------------------------------------
    add("entry_extra_field", "tensor entry with an extra field 'foo'",
        st({"x": t("F32", [2, 3], 0, 24, foo=1)}, d6))
    add("entry_missing_shape", "tensor entry without 'shape'",
        st({"x": {"dtype": "F32", "data_offsets": [0, 24]}}, d6))
    entry = '{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}'
    add("dup_key_identical", "key 'x' twice with identical entries",
        st('{"x":%s,"x":%s}' % (entry, entry), d6))
    add("dup_key_different", "key 'x' twice: [3] at [0,12], then [2,3] at [0,24]",
        st('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"x":%s}' % entry, d6))
    add("dup_metadata_key", "'__metadata__' twice",
        st('{"__metadata__":{"a":"1"},"__metadata__":{"b":"2"},"x":%s}' % entry, d6))
    add("name_non_utf8", "tensor name holds the byte 0xff (invalid UTF-8)",
        st(b'{"x\xff":' + entry.encode() + b"}", d6))
    add("name_unicode", "tensor name 'caf\u00e9/\u03c9' in UTF-8",
        st({"caf\u00e9/\u03c9": t("F32", [2, 3], 0, 24)}, d6))
    add("name_empty", "tensor name ''", st({"": t("F32", [2, 3], 0, 24)}, d6))
    add("metadata_as_tensor", "'__metadata__' holding a tensor entry",
        st({"__metadata__": t("F32", [2, 3], 0, 24)}, d6))

    # --- __metadata__ ---------------------------------------------------------------
    add("metadata_valid", "__metadata__ {'format': 'pt'}",
        st({"__metadata__": {"format": "pt"}, **one}, d6))
    add("metadata_null", "__metadata__ null", st({"__metadata__": None, **one}, d6))
    add("metadata_empty", "__metadata__ {}", st({"__metadata__": {}, **one}, d6))
    add("metadata_non_string", "__metadata__ {'n': 1}",
        st({"__metadata__": {"n": 1}, **one}, d6))
    add("metadata_list", "__metadata__ ['a']", st({"__metadata__": ["a"], **one}, d6))
    add("metadata_last", "__metadata__ after the tensors",
        st({**one, "__metadata__": {"format": "pt"}}, d6))

    # --- header length and framing --------------------------------------------------
    add("header_len_0", "header length 0", st(b"", align=None) + d6)
    add("header_len_past_eof", "header length 1000, past the end of the file",
        st(one, d6, header_len=1000))
    add("header_len_huge", "header length 2**40",
        st(one, d6, header_len=2**40))
    add("file_too_short", "a 5-byte file", b"\x08\x00\x00\x00\x00")
    add("not_aligned", "header not padded to 8 bytes (length 57)",
        st(one, d6, align=None))

    # --- header text ------------------------------------------------------------------
    add("bom", "header starting with a UTF-8 byte-order mark",
        st(one, d6, prefix=b"\xef\xbb\xbf"))
    add("leading_space", "header starting with a space",
        st(one, d6, prefix=b" "))
    add("trailing_spaces", "header padded with 13 trailing spaces",
        st(json.dumps(one, separators=(",", ":")) + " " * 13, d6, align=None))
    add("trailing_nuls", "header padded with 5 trailing NUL bytes",
        st(json.dumps(one, separators=(",", ":")).encode() + b"\x00" * 5, d6,
           align=None))
    add("trailing_comma", "header JSON with a trailing comma",
        st('{"x":%s,}' % entry, d6))
    add("single_quotes", "header with single-quoted strings",
        st(("{'x':%s}" % entry).replace('"', "'"), d6))
    add("header_array", "header is a JSON array", st([one], d6))
    add("header_null", "header is the JSON null", st("null", d6))
    deep = "[" * 200 + "]" * 200
    add("nested_200", "extra field holding arrays nested 200 deep",
        st('{"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],"deep":%s}}'
           % deep, d6))
    for depth in (125, 126):
        deep = "[" * depth + "]" * depth
        add("nested_%d" % depth, "extra field holding arrays nested %d deep (with the header object: %d)"
            % (depth, depth + 2),
            st('{"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],"deep":%s}}' % deep, d6))
    add("offsets_minus_zero", "data_offsets [-0, 24]",
        st('{"x":{"dtype":"F32","shape":[2,3],"data_offsets":[-0,24]}}', d6))
    add("names_equivalent", "two names that differ only in Unicode normalization (é and e + U+0301)",
        st('{"\u00e9":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},'
           '"e\u0301":{"dtype":"F32","shape":[3],"data_offsets":[12,24]}}', d6))
    deep = "[" * 100 + "]" * 100
    add("nested_100", "extra field holding arrays nested 100 deep",
        st('{"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],"deep":%s}}'
           % deep, d6))
    return c


def describe_tensors(named):
    out = {}
    for name, dtype, arr in named:
        entry = {"dtype": dtype, "shape": [int(d) for d in arr.shape]}
        if int(np.prod(entry["shape"])) <= MAX_VALUES:
            if isinstance(arr, np.ndarray):
                entry["values"] = json_values(arr)
            else:  # torch tensor: values as float (F8 / BF16)
                entry["values"] = [float(v) for v in arr.reshape(-1).float().tolist()]
        out[name] = entry
    return out


def st_verdict(path):
    data = path.read_bytes()
    out = {}
    # The reference verdict: safetensors.numpy.load reads every tensor.
    try:
        loaded = safetensors.numpy.load(data)
        dtypes = {name: info["dtype"] for name, info in deserialize(data)}
    except Exception as exc:  # noqa: BLE001
        out.update(accepts=False, reason=reason_of(exc, ST_DIR))
    else:
        out.update(accepts=True, reason="", tensors=describe_tensors(
            sorted((k, dtypes[k], v) for k, v in loaded.items())))

    # safe_open + get_tensor of every key.
    metadata = None
    try:
        with safe_open(str(path), framework="np") as fh:
            metadata = fh.metadata()
            for key in fh.keys():
                fh.get_tensor(key)
    except Exception as exc:  # noqa: BLE001
        so_ok, so_reason = False, reason_of(exc, ST_DIR)
    else:
        so_ok, so_reason = True, ""
    if so_ok != out["accepts"]:
        out.update(safe_open_accepts=so_ok, safe_open_reason=so_reason)
    if out["accepts"]:
        out["metadata"] = metadata

    # NumPy has no BF16 / F8: does torch read the file?
    if not out["accepts"] and torch is not None and "KeyError" in out["reason"]:
        try:
            parsed = deserialize(data)
        except Exception:  # noqa: BLE001 - the header itself is refused
            parsed = None
        if parsed is not None:
            try:
                loaded = safetensors.torch.load(data)
            except Exception as exc:  # noqa: BLE001
                out.update(torch_accepts=False, torch_reason=reason_of(exc, ST_DIR))
            else:
                dtypes = {name: info["dtype"] for name, info in parsed}
                out.update(torch_accepts=True, torch_reason="",
                           torch_tensors=describe_tensors(
                               sorted((k, dtypes[k], v) for k, v in loaded.items())))
    return out


# ===========================================================================

def write_corpus(folder, suffix, cases, verdict_fn):
    folder.mkdir(parents=True, exist_ok=True)
    for old in list(folder.glob(f"*{suffix}")) + [folder / "verdicts.json"]:
        if old.exists():
            old.unlink()
    names = [name for name, _, _ in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    verdicts = {"_versions": {"numpy": np.__version__,
                              "safetensors": safetensors.__version__}}
    for name, what, data in cases:
        assert len(data) < 4096, f"{name} is {len(data)} bytes"
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        entry = {"what": what}
        entry.update(verdict_fn(path))
        verdicts[path.name] = entry
    with open(folder / "verdicts.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(verdicts, fh, indent=1, sort_keys=True, allow_nan=False,
                  ensure_ascii=False)
        fh.write("\n")
    return verdicts


def summarize(title, verdicts):
    print(f"\n{title}")
    width = max(len(k) for k in verdicts)
    for name, v in verdicts.items():
        if name.startswith("_"):
            continue
        flag = "accept" if v["accepts"] else "REJECT"
        extra = ""
        if "safe_open_accepts" in v:
            extra += f" [safe_open {'accept' if v['safe_open_accepts'] else 'REJECT'}]"
        if "torch_accepts" in v:
            extra += f" [torch {'accept' if v['torch_accepts'] else 'REJECT'}]"
        print(f"  {name:<{width}}  {flag}{extra}  {v['reason'][:90]}")


def main():
    npy = write_corpus(NPY_DIR, ".npy", npy_cases(), npy_verdict)
    sts = write_corpus(ST_DIR, ".safetensors", safetensors_cases(), st_verdict)
    summarize("np.load(allow_pickle=False)", npy)
    summarize("safetensors.numpy.load", sts)
    for folder in (NPY_DIR, ST_DIR):
        files = sorted(folder.iterdir())
        total = sum(f.stat().st_size for f in files)
        print(f"wrote {len(files)} files ({total} bytes) to {os.path.relpath(folder)}")


if __name__ == "__main__":
    main()
