#!/usr/bin/env python3
"""PEFT check: a ToyLoRA adapter exported as a PEFT directory, applied in PyTorch the way PEFT applies it, gives the runner's accuracy.

    python3 scripts/peft_check.py RUN_DIR PEFT_DIR [--data DIR] [--tolerance POINTS] [--float64]

RUN_DIR is a results folder (e.g. results/lora-r16): its metrics.json holds the accuracies to reproduce and names the
base checkpoint. PEFT_DIR is what `runner export --base … --adapter … --peft PEFT_DIR` wrote: adapter_config.json and
adapter_model.safetensors, as PEFT's save_pretrained writes them.

The script builds the MLP in PyTorch (fc1 … fcN as nn.Linear, ReLU and dropout between them), loads the base weights,
and wraps each of the config's target_modules as PEFT's LoRA layer does: the original layer becomes `base_layer`,
`lora_A` and `lora_B` are nn.ModuleDicts of bias-free nn.Linear layers under the adapter name "default", and

    result = base_layer(x) + lora_B(lora_A(lora_dropout(x))) * scaling,   scaling = lora_alpha / r  (or / sqrt(r) with use_rslora)

The module tree is PEFT's (PeftModel.base_model = LoraModel, .model = the MLP), so the adapter file's keys
(base_model.model.<module>.lora_A.weight, with the adapter name removed as get_peft_model_state_dict removes it, and
base_model.model.<module>.base_layer.bias for bias="lora_only") are loaded with load_state_dict after putting
".default" back, as set_peft_model_state_dict does; a key that lands nowhere is an error. PEFT itself is not needed.

It then evaluates the base and the adapted model on the test set and compares per-class, old, new and overall
accuracy with metrics.json. Exit code 0 when all agree within the tolerance (0.01 points), 1 when one does not,
2 when a file is missing or malformed, 3 when numpy or torch is missing (one line says which).
"""
import argparse
import json
import math
import os
import sys

MISSING = [name for name in ("numpy", "torch") if __import__("importlib.util").util.find_spec(name) is None]
if MISSING:
    print(f"peft_check.py needs numpy and torch; missing: {', '.join(MISSING)} "
          f"(Debian: apt-get install python3-numpy python3-torch)", file=sys.stderr)
    sys.exit(3)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_check import DATASETS, Failure, accuracy, compare, read_idx, read_safetensors  # noqa: E402

ADAPTER = "default"  # the adapter name PEFT gives when none is given
PREFIX = "base_model.model."


class Mlp(nn.Module):
    """ToyLoRA's network: fc1 … fcN, ReLU and dropout after every layer but the last."""

    def __init__(self, widths, dropout):
        super().__init__()
        self.names = [f"fc{i + 1}" for i in range(len(widths) - 1)]
        for name, (n_in, n_out) in zip(self.names, zip(widths, widths[1:])):
            setattr(self, name, nn.Linear(n_in, n_out))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        for i, name in enumerate(self.names):
            x = getattr(self, name)(x)
            if i < len(self.names) - 1:
                x = self.dropout(torch.relu(x))
        return x


class LoraLinear(nn.Module):
    """PEFT's lora.Linear, reduced to what a ToyLoRA adapter uses: one adapter, no DoRA, no fan_in_fan_out."""

    def __init__(self, base_layer, r, lora_alpha, lora_dropout, use_rslora):
        super().__init__()
        self.base_layer = base_layer
        self.lora_dropout = nn.ModuleDict({ADAPTER: nn.Dropout(lora_dropout) if lora_dropout > 0 else nn.Identity()})
        self.lora_A = nn.ModuleDict({ADAPTER: nn.Linear(base_layer.in_features, r, bias=False)})
        self.lora_B = nn.ModuleDict({ADAPTER: nn.Linear(r, base_layer.out_features, bias=False)})
        self.scaling = {ADAPTER: lora_alpha / math.sqrt(r) if use_rslora else lora_alpha / r}

    def forward(self, x):
        result = self.base_layer(x)
        lora_A, lora_B = self.lora_A[ADAPTER], self.lora_B[ADAPTER]
        dropout, scaling = self.lora_dropout[ADAPTER], self.scaling[ADAPTER]
        return result + lora_B(lora_A(dropout(x))) * scaling


class LoraModel(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)


class PeftModel(nn.Module):
    """Only the module tree of PEFT's PeftModel: base_model (a LoraModel) → model (the network)."""

    def __init__(self, model):
        super().__init__()
        self.base_model = LoraModel(model)

    def forward(self, x):
        return self.base_model(x)


def build_base(base):
    layers = sorted(int(k[2:].split(".")[0]) for k in base if k.startswith("fc") and k.endswith(".weight"))
    widths = [base["fc1.weight"].shape[1]] + [base[f"fc{i}.weight"].shape[0] for i in layers]
    return Mlp(widths, 0.2), layers


def load(module, state, what):
    missing, unexpected = module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()}, strict=False)
    if unexpected:
        raise Failure(f"{what}: tensors {sorted(unexpected)} land on no parameter of the model")
    return missing


def peft_model(base, config, adapter_tensors, source):
    """The base network wrapped as PEFT wraps it, the adapter's tensors loaded by PEFT's key names."""
    if config.get("peft_type") != "LORA":
        raise Failure(f"{source}: peft_type is {config.get('peft_type')!r}, expected 'LORA'")
    if config.get("use_dora") or config.get("fan_in_fan_out"):
        raise Failure(f"{source}: use_dora / fan_in_fan_out are not what this check applies")
    r, alpha = int(config.get("r", 8)), float(config.get("lora_alpha", 8))
    model, _ = build_base(base)
    load(model, base, "base")
    for name in config["target_modules"]:
        setattr(model, name, LoraLinear(getattr(model, name), r, alpha, float(config.get("lora_dropout", 0.0)),
                                        bool(config.get("use_rslora", False))))
    wrapped = PeftModel(model)
    # set_peft_model_state_dict's remapping: the adapter name goes back in before the parameter's own name
    state = {}
    for key, value in adapter_tensors.items():
        if not key.startswith(PREFIX):
            raise Failure(f"{source}: tensor {key} does not start with {PREFIX}")
        for part in (".lora_A.", ".lora_B."):
            if part in key:
                key = key.replace(part, f"{part}{ADAPTER}.")
        state[key] = value
    missing = load(wrapped, state, source)
    not_loaded = [k for k in missing if ".lora_" in k]
    if not_loaded:
        raise Failure(f"{source}: the adapter lacks {not_loaded}")
    biases = [k for k in state if k.endswith(".base_layer.bias")]
    if (config.get("bias", "none") == "lora_only") != bool(biases):
        raise Failure(f"{source}: bias is {config.get('bias')!r} but the file holds {len(biases)} base_layer.bias tensors")
    return wrapped, r, alpha


def predictions(model, x):
    model.eval()
    with torch.no_grad():
        return model(x).argmax(dim=1).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", help="a results folder holding metrics.json (its base checkpoint is used)")
    parser.add_argument("peft", help="the PEFT adapter directory (runner export --peft DIR)")
    parser.add_argument("--data", help="the data set's folder (default: data/<dataset of the run>)")
    parser.add_argument("--tolerance", type=float, default=0.01, help="largest allowed difference in points")
    parser.add_argument("--float64", action="store_true", help="compute in float64 instead of PyTorch's default float32")
    args = parser.parse_args()

    with open(os.path.join(args.run, "metrics.json")) as f:
        metrics = json.load(f)
    base_path = os.path.normpath(os.path.join(args.run, (metrics.get("checkpoints") or {}).get("base", "checkpoints/base.safetensors")))
    base, base_meta = read_safetensors(base_path)
    config_path = os.path.join(args.peft, "adapter_config.json")
    weights_path = os.path.join(args.peft, "adapter_model.safetensors")
    with open(config_path) as f:
        config = json.load(f)
    adapter, adapter_meta = read_safetensors(weights_path)
    if adapter_meta.get("format") != "pt":
        raise Failure(f"{weights_path}: metadata format is {adapter_meta.get('format')!r}; PEFT writes 'pt'")

    dtype = torch.float64 if args.float64 else torch.float32
    base_model, _ = build_base(base)
    load(base_model, base, base_path)
    adapted_model, r, alpha = peft_model(base, config, adapter, weights_path)
    base_model.to(dtype)
    adapted_model.to(dtype)
    print(f"PEFT check of {args.peft} on {base_path} with torch {torch.__version__} ({str(dtype).replace('torch.', '')})")
    print(f"adapter  {config_path}: peft_type {config['peft_type']}, r {r}, lora_alpha {config['lora_alpha']}, target_modules "
          f"{config['target_modules']}, bias {config.get('bias', 'none')}, use_rslora {config.get('use_rslora', False)}; "
          f"{len(adapter)} tensors loaded by PEFT's names")

    dataset = metrics.get("data", {}).get("dataset", base_meta.get("toylora.dataset", "mnist"))
    mean = float(metrics["data"]["mean"]) if "mean" in metrics.get("data", {}) else DATASETS[dataset][0]
    std = float(metrics["data"]["std"]) if "std" in metrics.get("data", {}) else DATASETS[dataset][1]
    data_dir = args.data or os.path.join("data", dataset)
    images = read_idx(data_dir, "t10k-images-idx3-ubyte", 0x803)
    labels = read_idx(data_dir, "t10k-labels-idx1-ubyte", 0x801).astype(np.int64)
    x = (images.astype(np.float32) / np.float32(255) - np.float32(mean)) / np.float32(std)
    x = torch.from_numpy(x).to(dtype)
    print(f"data     {data_dir}: {len(labels)} test images, standardised with mean {mean}, std {std}")

    old, new = metrics["classes"]["old"], metrics["classes"]["new"]
    classes = len(metrics["base"]["per_class"])
    ours = {"base": accuracy(predictions(base_model, x), labels, old, new, classes),
            "adapted": accuracy(predictions(adapted_model, x), labels, old, new, classes)}
    return compare(ours, metrics, "torch+PEFT", args.run, args.tolerance)

if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failure, OSError, KeyError, ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
