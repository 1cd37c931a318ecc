#!/usr/bin/env python3
"""Interop check: ToyLoRA's checkpoints, read by hand with numpy alone, give the runner's accuracy.

    python3 scripts/interop_check.py [RUN_DIR] [--data DIR] [--tolerance POINTS]

RUN_DIR is a results folder (default: results/lora-r16). The script reads its metrics.json to find the
checkpoints (metrics.json "checkpoints": base, adapter or finetuned), parses the .safetensors files with
struct and json (8-byte little-endian header length, a JSON header of dtype/shape/data_offsets and
__metadata__, then raw little-endian float32), reads the MNIST test set from its IDX files, standardises the
pixels as the runner does ((byte/255 - mean)/std in float32), evaluates the base and the adapted model
(the adapter merged as W + s·(B@A), s = lora.alpha/lora.rank or alpha/sqrt(rank) with lora.rslora, and the
adapter's bias tensors replacing the base's), and compares every per-class, old, new and overall accuracy
with metrics.json. Exit code 0 when all agree within the tolerance (0.01 points), 1 when one does not,
2 when a file is missing or malformed, 3 when numpy is missing. Needs numpy only.
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys

try:
    import numpy as np
except ImportError as error:
    # one line and its own exit code, not a traceback: callers (InteropScriptTest) tell "cannot check" from "differs"
    print(f"interop_check: numpy is missing ({error}); install it (apt-get install python3-numpy, or pip install numpy)"
          f" and run this again", file=sys.stderr)
    sys.exit(3)

DATASETS = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}


class Failure(Exception):
    pass


def read_safetensors(path):
    """(tensors by name as float32 arrays, __metadata__) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise Failure(f"{path}: truncated ({len(data)} bytes)")
    (header_length,) = struct.unpack("<Q", data[:8])
    if header_length > len(data) - 8:
        raise Failure(f"{path}: header length {header_length} does not fit a file of {len(data)} bytes")
    header = json.loads(data[8:8 + header_length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = memoryview(data)[8 + header_length:]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise Failure(f"{path}: tensor {name}: dtype {entry['dtype']} (only F32 is written by ToyLoRA)")
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if end > len(body) or end - begin != 4 * int(np.prod(shape, dtype=np.int64)):
            raise Failure(f"{path}: tensor {name}: data_offsets [{begin}, {end}] do not fit shape {list(shape)}")
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(shape)
    return tensors, metadata


def weights_sha256(tensors):
    """The runner's CheckpointMetadata.weightsSha256: name, shape as Java prints it, little-endian values, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        digest.update(name.encode("utf-8"))
        digest.update(("[" + ", ".join(str(d) for d in tensors[name].shape) + "]").encode("utf-8"))
        digest.update(tensors[name].astype("<f4").tobytes())
    return digest.hexdigest()


def read_idx(directory, name, magic):
    for path in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            (found, count) = struct.unpack(">II", data[:8])
            if found != magic:
                raise Failure(f"{path}: magic {found:#010x}, expected {magic:#010x}")
            if magic == 0x803:
                rows, cols = struct.unpack(">II", data[8:16])
                return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * cols)
            return np.frombuffer(data, dtype=np.uint8, offset=8)
    raise Failure(f"{directory}: no {name} (run scripts/fetch-mnist.sh)")


def logits(weights, x):
    """Eval-mode forward pass of the MLP fc1..fcN (ReLU between layers), in float64: a reference independent of the engines, which compute in float32."""
    layers = sorted({int(k[2:].split(".")[0]) for k in weights if k.startswith("fc")})
    h = x.astype(np.float64)
    for i, layer in enumerate(layers):
        w = weights[f"fc{layer}.weight"].astype(np.float64)  # [out, in], PyTorch's layout
        h = h @ w.T + weights[f"fc{layer}.bias"].astype(np.float64)
        if i < len(layers) - 1:
            h = np.maximum(h, 0)
    return h


def merge(base, adapter, metadata):
    """W + s·(B@A) for every adapted layer; the adapter's biases (PEFT bias="lora_only") replace the base's."""
    rank, alpha = int(metadata["lora.rank"]), float(metadata["lora.alpha"])
    scaling = alpha / np.sqrt(rank) if metadata.get("lora.rslora", "false") == "true" else alpha / rank
    merged = {k: v.astype(np.float64) for k, v in base.items()}
    for target in metadata["lora.targets"].split(","):
        a = adapter[f"{target}.lora_A.weight"].astype(np.float64)  # [r, in]
        b = adapter[f"{target}.lora_B.weight"].astype(np.float64)  # [out, r]
        merged[f"{target}.weight"] = merged[f"{target}.weight"] + scaling * (b @ a)
        if f"{target}.bias" in adapter:
            merged[f"{target}.bias"] = adapter[f"{target}.bias"].astype(np.float64)
    return merged, scaling


def accuracy(predictions, labels, old, new, classes=10):
    """Per-class, old, new and overall accuracy in percent, rounded to 2 decimals like metrics.json."""
    correct = np.array([int(np.sum((labels == c) & (predictions == c))) for c in range(classes)])
    total = np.array([int(np.sum(labels == c)) for c in range(classes)])
    pct = lambda c, t: round(100.0 * c / t, 2) if t else 0.0
    return {
        "per_class": [pct(correct[c], total[c]) for c in range(classes)],
        "old": pct(correct[old].sum(), total[old].sum()),
        "new": pct(correct[new].sum(), total[new].sum()),
        "overall": pct(correct.sum(), total.sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", nargs="?", default="results/lora-r16", help="a results folder holding metrics.json")
    parser.add_argument("--data", help="the data set's folder (default: data/<dataset of the run>)")
    parser.add_argument("--tolerance", type=float, default=0.01, help="largest allowed difference in points")
    args = parser.parse_args()

    with open(os.path.join(args.run, "metrics.json")) as f:
        metrics = json.load(f)
    # older runs' metrics.json do not list their checkpoints: they are in checkpoints/
    checkpoints = metrics.get("checkpoints") or {
        key: f"checkpoints/{key}.safetensors" for key in ("base", "adapter", "finetuned")
        if os.path.isfile(os.path.join(args.run, "checkpoints", f"{key}.safetensors"))}
    base_path = os.path.normpath(os.path.join(args.run, checkpoints["base"]))
    base, base_meta = read_safetensors(base_path)
    base_sha = weights_sha256(base)
    print(f"interop check of {args.run} with numpy {np.__version__}")
    print(f"base     {base_path}: {len(base)} tensors, " + ", ".join(f"{k} {list(v.shape)}" for k, v in sorted(base.items()) if k.endswith("weight")))
    print(f"         weights SHA-256 {base_sha[:16]}… (metadata: {base_meta.get('toylora.base-sha256', '?')[:16]}…)")

    adapted = None
    if "adapter" in checkpoints:
        adapter_path = os.path.normpath(os.path.join(args.run, checkpoints["adapter"]))
        adapter, adapter_meta = read_safetensors(adapter_path)
        if adapter_meta.get("toylora.base-sha256") != base_sha:
            raise Failure(f"{adapter_path}: belongs to base {adapter_meta.get('toylora.base-sha256')}, not {base_sha} ({base_path})")
        adapted, scaling = merge(base, adapter, adapter_meta)
        biases = sorted(k for k in adapter if k.endswith(".bias"))
        print(f"adapter  {adapter_path}: rank {adapter_meta['lora.rank']}, alpha {adapter_meta['lora.alpha']}, s = {scaling:g}, "
              f"targets {adapter_meta['lora.targets']}, bias tensors {len(biases)}; belongs to this base (SHA-256 matches)")
    elif "finetuned" in checkpoints:
        adapted, _ = read_safetensors(os.path.normpath(os.path.join(args.run, checkpoints["finetuned"])))

    dataset = metrics.get("data", {}).get("dataset", base_meta.get("toylora.dataset", "mnist"))
    mean, std = DATASETS[dataset]
    data_dir = args.data or os.path.join("data", dataset)
    images = read_idx(data_dir, "t10k-images-idx3-ubyte", 0x803)
    labels = read_idx(data_dir, "t10k-labels-idx1-ubyte", 0x801).astype(np.int64)
    x = (images.astype(np.float32) / np.float32(255) - np.float32(mean)) / np.float32(std)
    print(f"data     {data_dir}: {len(labels)} test images, standardised with mean {mean}, std {std}")

    old, new = metrics["classes"]["old"], metrics["classes"]["new"]
    ours = {"base": accuracy(np.argmax(logits(base, x), axis=1), labels, old, new)}
    if adapted is not None:
        ours["adapted"] = accuracy(np.argmax(logits(adapted, x), axis=1), labels, old, new)

    return compare(ours, metrics, "numpy", args.run, args.tolerance)


def compare(ours, metrics, tool, run, tolerance):
    """Prints ours (model -> accuracies) beside metrics.json's, per class, old, new and overall; 0 when all agree within tolerance, else 1."""
    worst = 0.0
    classes = len(metrics["base"]["per_class"])
    rows = [(f"{c}", lambda m, c=c: m["per_class"][c]) for c in range(classes)]
    rows += [("old", lambda m: m["old"]), ("new", lambda m: m["new"]), ("overall", lambda m: m["overall"])]
    models = list(ours)
    print()
    print("| class | " + " | ".join(f"{m} {tool} | {m} runner" for m in models) + " |")
    print("|---|" + "---:|---:|" * len(models))
    for label, get in rows:
        cells = []
        for m in models:
            a, b = get(ours[m]), get(metrics[m])
            worst = max(worst, abs(a - b))
            cells.append(f"{a:.2f} | {b:.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    numbers = len(rows) * len(models)
    print()
    if worst > tolerance + 1e-9:
        print(f"FAIL: the largest difference is {worst:.2f} points, more than {tolerance}")
        return 1
    print(f"OK: all {numbers} accuracies agree with {os.path.join(run, 'metrics.json')} within {tolerance} points "
          f"(largest difference {worst:.2f})")
    return 0

if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failure, OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
