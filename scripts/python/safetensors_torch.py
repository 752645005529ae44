#!/usr/bin/env python3
"""Read and write safetensors files with nothing but PyTorch (no `safetensors` package needed).

The format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
N bytes of JSON header ``{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
"__metadata__": {str: str}}`` and then the raw little-endian tensor bytes. ResNetGen's C# runtime
(``Safetensors.Save``/``Safetensors.Load``, ``torch.save``/``torch.load``) reads and writes the
same files, so weights move freely between PyTorch and .NET.

As a module::

    from safetensors_torch import save_file, load_file
    save_file(model.state_dict(), "model.safetensors", metadata={"arch": "resnet18"})
    model.load_state_dict(load_file("model.safetensors"))

As a command (run with the Python that has torch, e.g. Debian's /usr/bin/python3)::

    safetensors_torch.py export model.pth model.safetensors   # PyTorch .pt/.pth -> safetensors
    safetensors_torch.py import model.safetensors model.pth   # safetensors -> PyTorch .pt
    safetensors_torch.py show model.safetensors               # header: names, dtypes, shapes

``export`` and ``import`` can rename keys on the way (applied in this order, each option repeatable):
``--strip-prefix module.`` (DataParallel/DDP checkpoints; ``model.`` for Lightning),
``--rename REGEX=REPLACEMENT`` (Python ``re.sub``, e.g. ``'^head\.fc\.=fc.'``) and ``--drop REGEX``
(e.g. ``'^fc\.'`` to leave a classifier head behind).
"""
import argparse
import collections
import ctypes
import json
import os
import re
import struct
import sys
import tempfile

import torch

__all__ = ["save_file", "load_file", "read_header", "save", "load", "rename_keys"]

MAX_HEADER_BYTES = 100_000_000

_DTYPES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
_FROM_NAME = {name: dtype for dtype, name in _DTYPES.items()}


class SafetensorsError(ValueError):
    """A corrupt, truncated or unsupported safetensors file; the message names the file."""


def _tensor_bytes(tensor):
    t = tensor.detach().to("cpu").contiguous()
    nbytes = t.numel() * t.element_size()
    return ctypes.string_at(t.data_ptr(), nbytes) if nbytes else b""


def save(tensors, metadata=None):
    """The safetensors bytes of a {name: tensor} dict (in the dict's order)."""
    header = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise ValueError("bad tensor name {!r}".format(name))
        if not isinstance(tensor, torch.Tensor):
            raise TypeError("{!r} is a {}, not a tensor".format(name, type(tensor).__name__))
        if tensor.dtype not in _DTYPES:
            raise TypeError("{!r} has dtype {}, which safetensors does not support here".format(name, tensor.dtype))
        data = _tensor_bytes(tensor)
        header[name] = {"dtype": _DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    return b"".join([struct.pack("<Q", len(head)), head] + blobs)


def save_file(tensors, path, metadata=None):
    """Writes a {name: tensor} dict to `path` atomically (temp file in the same folder + rename)."""
    data = save(tensors, metadata)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _parse(data, path):
    def bad(what):
        return SafetensorsError("safetensors file '{}' is corrupt: {}".format(path, what))

    if len(data) < 8:
        raise bad("the file is {} bytes long, shorter than the 8-byte header length".format(len(data)))
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER_BYTES or n > len(data) - 8:
        raise bad("header length {} does not fit the {}-byte file (truncated?)".format(n, len(data)))
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=collections.OrderedDict)
    except (UnicodeDecodeError, ValueError) as e:
        raise bad("the header is not valid JSON ({})".format(e)) from None
    if not isinstance(header, dict):
        raise bad("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad("__metadata__ must be an object of strings")
    data_len = len(data) - 8 - n
    entries = []
    for name, info in header.items():
        try:
            dtype = _FROM_NAME[info["dtype"]]
            shape = [int(s) for s in info["shape"]]
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise bad("bad entry for tensor {!r}: {}".format(name, info)) from None
        numel = 1
        for s in shape:
            if s < 0:
                raise bad("tensor {!r} has a negative dimension".format(name))
            numel *= s
        if begin < 0 or end < begin or end - begin != numel * torch.empty((), dtype=dtype).element_size():
            raise bad("tensor {!r} has data_offsets {} that do not match its shape {}".format(name, [begin, end], shape))
        if end > data_len:
            raise bad("tensor {!r} runs past the end of the data (truncated?)".format(name))
        entries.append((name, dtype, shape, begin, end))
    expected = 0
    for name, _, _, begin, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin != expected:
            raise bad("tensor {!r} overlaps another or leaves a gap".format(name))
        expected = end
    if expected != data_len:
        raise bad("the tensors cover {} of the {} data bytes".format(expected, data_len))
    return entries, dict(metadata), 8 + n


def read_header(path):
    """(entries, metadata): entries are (name, dtype, shape, begin, end) in file order."""
    with open(path, "rb") as f:
        data = f.read()
    entries, metadata, _ = _parse(data, path)
    return entries, metadata


def load(data, path="<bytes>"):
    """(tensors, metadata) from safetensors bytes; tensors keep the file's order."""
    entries, metadata, start = _parse(data, path)
    result = collections.OrderedDict()
    for name, dtype, shape, begin, end in entries:
        if end == begin:
            result[name] = torch.empty(shape, dtype=dtype)
        else:
            chunk = bytearray(data[start + begin:start + end])
            result[name] = torch.frombuffer(chunk, dtype=dtype).reshape(shape)
    return result, metadata


def load_file(path, device="cpu", with_metadata=False):
    """An ordered {name: tensor} dict from `path` (and the metadata dict if with_metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    tensors, metadata = load(data, path)
    if str(device) != "cpu":
        tensors = collections.OrderedDict((k, v.to(device)) for k, v in tensors.items())
    return (tensors, metadata) if with_metadata else tensors


def rename_keys(tensors, strip_prefixes=(), renames=(), drops=()):
    """A new ordered dict with keys renamed: each prefix in `strip_prefixes` removed where a key starts
    with it, each (pattern, replacement) of `renames` applied with re.sub, then keys matching (re.search)
    any pattern of `drops` left out. Two keys that end up with the same name are an error."""
    result = collections.OrderedDict()
    for name, value in tensors.items():
        new = name
        for prefix in strip_prefixes:
            if new.startswith(prefix):
                new = new[len(prefix):]
        for pattern, replacement in renames:
            new = re.sub(pattern, replacement, new)
        if any(re.search(pattern, new) for pattern in drops):
            continue
        if not new:
            raise ValueError("renaming {!r} leaves an empty name".format(name))
        if new in result:
            raise ValueError("renaming sends two keys to {!r} (the second is {!r})".format(new, name))
        result[new] = value
    return result


# ---- command line --------------------------------------------------------------------------

def _renamed(tensors, args):
    renames = []
    for item in args.rename or []:
        pattern, sep, replacement = item.partition("=")
        if not sep:
            raise SystemExit("--rename wants REGEX=REPLACEMENT, got {!r}".format(item))
        renames.append((pattern, replacement))
    try:
        return rename_keys(tensors, args.strip_prefix or (), renames, args.drop or ())
    except (ValueError, re.error) as e:
        raise SystemExit("error: {}".format(e))

def _state_dict_of(obj, key):
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if key:
        for part in key.split("."):
            obj = obj[part]
    elif isinstance(obj, dict) and not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for candidate in ("state_dict", "model_state_dict", "model", "module"):
            if isinstance(obj.get(candidate), dict):
                obj = obj[candidate]
                break
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if not isinstance(obj, dict):
        raise SystemExit("no state dict found (got a {}); name it with --key".format(type(obj).__name__))
    return obj


def _export(args):
    obj = torch.load(args.input, map_location="cpu")
    state = _state_dict_of(obj, args.key)
    tensors = collections.OrderedDict()
    for name, value in state.items():
        if isinstance(value, torch.Tensor):
            tensors[name] = value
        else:
            print("skipping {!r}: not a tensor ({})".format(name, type(value).__name__), file=sys.stderr)
    tensors = _renamed(tensors, args)
    metadata = {"format": "pt"}
    for item in args.metadata or []:
        k, _, v = item.partition("=")
        metadata[k] = v
    save_file(tensors, args.output, metadata)
    print("wrote {} tensors to {}".format(len(tensors), args.output))


def _import(args):
    tensors = _renamed(load_file(args.input), args)
    torch.save(tensors, args.output)
    print("wrote {} tensors to {}".format(len(tensors), args.output))


def _show(args):
    entries, metadata = read_header(args.input)
    if metadata:
        print("metadata:", json.dumps(metadata, indent=1))
    for name, dtype, shape, begin, end in entries:
        print("{}\t{}\t{}\t[{}, {})".format(name, _DTYPES[dtype], list(shape), begin, end))


def _rename_options(p):
    p.add_argument("--strip-prefix", action="append", metavar="PREFIX",
                   help="remove PREFIX from the keys that start with it, e.g. module. (repeatable)")
    p.add_argument("--rename", action="append", metavar="REGEX=REPLACEMENT",
                   help="rename keys with Python's re.sub, e.g. '^head\\.fc\\.=fc.' (repeatable, in order)")
    p.add_argument("--drop", action="append", metavar="REGEX", help="leave out keys matching REGEX, e.g. '^fc\\.' (repeatable)")


def main(argv=None):
    parser = argparse.ArgumentParser(description="safetensors <-> PyTorch, with torch only")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="PyTorch .pt/.pth state dict -> safetensors")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--key", help="dotted path of the state dict inside a checkpoint dict, e.g. model")
    p.add_argument("--metadata", action="append", metavar="KEY=VALUE", help="extra metadata (repeatable)")
    _rename_options(p)
    p.set_defaults(func=_export)
    p = sub.add_parser("import", help="safetensors -> PyTorch .pt state dict")
    p.add_argument("input")
    p.add_argument("output")
    _rename_options(p)
    p.set_defaults(func=_import)
    p = sub.add_parser("show", help="print a safetensors header")
    p.add_argument("input")
    p.set_defaults(func=_show)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except SafetensorsError as e:
        print("error: {}".format(e), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
