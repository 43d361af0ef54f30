"""Reads a safetensors file by hand (no safetensors package), for the scripts that check PruneKit's exports.

`read_entries(path)` returns name -> (dtype, shape, raw little-endian bytes) for every tensor (`__metadata__` left
out); the caller turns the bytes into its own arrays (torch.frombuffer, numpy.frombuffer). PruneKit writes F32 and I64.
"""
import json
import struct


def read_entries(path):
    """name -> (dtype string such as "F32", shape list, bytes) for the tensors of the safetensors file at `path`."""
    with open(path, "rb") as handle:
        data = handle.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base, entries = 8 + length, {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        entries[name] = (entry["dtype"], entry["shape"], data[base + start:base + end])
    return entries
