#!/usr/bin/env python3
"""Analysis check: every number `runner analyze` wrote for a layer, recomputed with numpy from the checkpoints.

    python3 scripts/analysis_check.py [ANALYSIS_DIR] [--layer NAME]... [--tolerance T] [--accuracy] [--data DIR]

ANALYSIS_DIR holds analysis.json (default: results/analysis). Its "sources" name the base, the full fine-tune and
the adapters (paths relative to the working directory, the repository root). For each layer (all, or those given
with --layer) the script reads the safetensors files with scripts/interop_check.py's reader, checks that every file
belongs to the base (weights SHA-256), and recomputes in float64 with numpy's SVD, independently of the runner's
ojAlgo code:

  - the spectrum of the full update ΔW = W_finetuned - W_base: ||ΔW||_F, singular values, cumulative share of
    ||ΔW||_F^2 in the top k, the smallest k holding 90% and 99%; the same for each adapter's s·B·A;
  - ||W||_F and Table 7 of the LoRA paper for each update: ||U^T W V||_F along the update's top-r singular vectors,
    along W's own and for random ones (r·||W||_F/sqrt(out·in)), the amplification factor ||ΔW||_F / ||U^T W V||_F;
  - how much of the full update lies in each adapter's subspaces (both sides, input side, output side, the best
    rank-r share, random, cosine);
  - phi(i, j) = ||U_i^T V_j||_F^2 / min(i, j) between the right singular vectors of two adapters' A, every entry,
    with phi(1,1), the mean over the top 8x8 and their random baselines.

A number agrees when |numpy - runner| <= T·max(1, |runner|) (T = 1e-4: absolute below 1, relative above); counts
such as k and r must be equal. With --accuracy it also evaluates, in float64 on the test set, the base, the full
fine-tune, the full update truncated to each rank and each adapter, and compares the accuracies within 0.05 points.
Exit code 0 when everything agrees, 1 when a number does not, 2 when a file is missing or malformed, 3 without numpy.
"""
import argparse
import json
import os
import sys

# The matrices are small (at most 512x784): one BLAS thread is enough, and BLAS threads spinning while they wait for
# a core on a busy machine (a build beside it) make the run many times slower. Set before numpy loads its BLAS.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

try:
    import numpy as np
except ImportError:
    print("analysis_check: numpy is not installed for " + sys.executable + " (e.g. apt-get install python3-numpy); nothing was checked",
          file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_check import DATASETS, Failure, logits, merge, read_idx, read_safetensors, weights_sha256  # noqa: E402

NUMERICAL_ZERO = 1e-9   # singular values below this fraction of the largest count as zero (Svd.NUMERICAL_ZERO)
SHARE_TOLERANCE = 1e-12  # a cumulative share this close to a threshold reaches it (Spectrum.TOLERANCE)
TOP = 8                  # phi's summary over the top 8x8 (AnalysisResult.TOP)


class Checker:
    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.count = 0
        self.worst = 0.0
        self.failures = []

    def number(self, what, ours, theirs):
        self.count += 1
        deviation = abs(ours - theirs) / max(1.0, abs(theirs))
        self.worst = max(self.worst, deviation)
        if not deviation <= self.tolerance:
            self.failures.append(f"{what}: numpy {ours!r}, runner {theirs!r}")

    def exact(self, what, ours, theirs):
        self.count += 1
        if ours != theirs:
            self.failures.append(f"{what}: numpy {ours!r}, runner {theirs!r}")

    def array(self, what, ours, theirs):
        theirs = np.asarray(theirs, dtype=np.float64)
        if ours.shape != theirs.shape:
            self.failures.append(f"{what}: numpy has shape {ours.shape}, runner {theirs.shape}")
            return
        for index in np.ndindex(ours.shape):
            self.number(f"{what}{list(index)}", float(ours[index]), float(theirs[index]))


def svd(m):
    u, s, vt = np.linalg.svd(m, full_matrices=False)
    return u, s, vt.T


def numerical_rank(s):
    return max(1, int(np.sum(s > s[0] * NUMERICAL_ZERO))) if s[0] > 0 else 1


def spectrum(s):
    rank = numerical_rank(s)
    total = float(np.sum(s ** 2))
    cumulative = np.cumsum(s[:rank] ** 2) / total
    k = lambda share: int(np.argmax(cumulative >= share - SHARE_TOLERANCE)) + 1 if np.any(cumulative >= share - SHARE_TOLERANCE) else rank
    return {"norm": np.sqrt(total), "values": s[:rank], "cumulative_share": cumulative, "k90": k(0.90), "k99": k(0.99)}


def check_spectrum(c, what, ours, theirs):
    c.number(what + ".norm", ours["norm"], theirs["norm"])
    c.array(what + ".values", ours["values"], theirs["values"])
    c.array(what + ".cumulative_share", ours["cumulative_share"], theirs["cumulative_share"])
    c.exact(what + ".k90", ours["k90"], theirs["k90"])
    c.exact(what + ".k99", ours["k99"], theirs["k99"])


def table7(weight, of_weight, of_delta, rank):
    """The LoRA paper's Table 7 for an update with SVD of_delta, at rank r (capped at its numerical rank)."""
    u, s, v = of_delta
    wu, ws, wv = of_weight
    r = min(rank, numerical_rank(s))
    on_delta = np.linalg.norm(u[:, :r].T @ weight @ v[:, :r])
    on_weight = np.linalg.norm(wu[:, :r].T @ weight @ wv[:, :r])
    on_random = r * np.linalg.norm(weight) / np.sqrt(weight.shape[0] * weight.shape[1])
    delta_norm = np.sqrt(np.sum(s ** 2))
    return {"rank": r, "delta_norm": delta_norm, "on_delta": on_delta, "on_weight": on_weight, "on_random": on_random,
            "amplification": delta_norm / on_delta}


def check_table7(c, what, ours, theirs):
    c.exact(what + ".rank", ours["rank"], theirs["rank"])
    for key in ("delta_norm", "on_delta", "on_weight", "on_random", "amplification"):
        c.number(what + "." + key, ours[key], theirs[key])


def full_in_subspace(full, full_spectrum, delta, of_delta):
    u, s, v = of_delta
    r = numerical_rank(s)
    u, v = u[:, :r], v[:, :r]
    energy = full_spectrum["norm"] ** 2
    cumulative = full_spectrum["cumulative_share"]
    return {"rank": r,
            "two_sided": np.linalg.norm(u.T @ full @ v) ** 2 / energy,
            "input_side": np.linalg.norm(full @ v) ** 2 / energy,
            "output_side": np.linalg.norm(u.T @ full) ** 2 / energy,
            "best": float(cumulative[r - 1]) if r <= len(cumulative) else 1.0,
            "random": r * r / (full.shape[0] * full.shape[1]),
            "cosine": float(np.sum(full * delta)) / (full_spectrum["norm"] * np.sqrt(np.sum(s ** 2)))}


def phi(a1, a2):
    """phi(i, j) for the right singular vectors of two A matrices [r, in]."""
    _, _, v1 = svd(a1)
    _, _, v2 = svd(a2)
    squares = (v1.T @ v2) ** 2
    sums = np.cumsum(np.cumsum(squares, axis=0), axis=1)
    i = np.arange(1, squares.shape[0] + 1)[:, None]
    j = np.arange(1, squares.shape[1] + 1)[None, :]
    return sums / np.minimum(i, j), v1.shape[0]


def random_phi(rows, columns, dimension):
    i = np.arange(1, rows + 1)[:, None]
    j = np.arange(1, columns + 1)[None, :]
    return np.maximum(i, j) / dimension


def read_sources(sources):
    base, base_meta = read_safetensors(sources["base"])
    sha = weights_sha256(base)
    if sha != sources["base_weights_sha256"]:
        raise Failure(f"{sources['base']}: weights SHA-256 {sha}, but analysis.json records {sources['base_weights_sha256']}")
    full, full_meta = read_safetensors(sources["full"])
    if full_meta.get("toylora.base-sha256") != sha:
        raise Failure(f"{sources['full']}: fine-tuned from base {full_meta.get('toylora.base-sha256')}, not {sha} ({sources['base']})")
    adapters = {}
    for a in sources["adapters"]:
        tensors, meta = read_safetensors(a["file"])
        if meta.get("toylora.base-sha256") != sha:
            raise Failure(f"{a['file']}: belongs to base {meta.get('toylora.base-sha256')}, not {sha} ({sources['base']})")
        if int(meta["lora.rank"]) != a["rank"]:
            raise Failure(f"{a['file']}: rank {meta['lora.rank']}, but analysis.json records {a['rank']}")
        adapters[a["name"]] = (tensors, meta, a)
    return base, base_meta, full, adapters


def delta_of(adapter, layer):
    tensors, _, source = adapter
    b = tensors[f"{layer}.lora_B.weight"].astype(np.float64)
    a = tensors[f"{layer}.lora_A.weight"].astype(np.float64)
    return source["scaling"] * (b @ a)


def check_layer(c, result, layer_result, base, full, adapters):
    name = layer_result["layer"]
    weight = base[f"{name}.weight"].astype(np.float64)
    update = full[f"{name}.weight"].astype(np.float64) - weight
    of_weight, of_update = svd(weight), svd(update)
    c.number(f"{name}.weight_norm", np.linalg.norm(weight), layer_result["weight_norm"])
    full_spectrum = spectrum(of_update[1])
    check_spectrum(c, f"{name}.full", full_spectrum, layer_result["full"])
    ranks = sorted({a["rank"] for a in result["sources"]["adapters"]})
    if len(ranks) != len(layer_result["full_correlation"]):
        c.failures.append(f"{name}.full_correlation: {len(layer_result['full_correlation'])} rows for the {len(ranks)} adapter ranks {ranks}")
    for rank, theirs in zip(ranks, layer_result["full_correlation"]):
        check_table7(c, f"{name}.full_correlation[r={rank}]", table7(weight, of_weight, of_update, rank), theirs)
    for theirs in layer_result["adapters"]:
        adapter = adapters[theirs["adapter"]]
        what = f"{name}.{theirs['adapter']}"
        delta = delta_of(adapter, name)
        of_delta = svd(delta)
        c.exact(what + ".rank", adapter[2]["rank"], theirs["rank"])
        check_spectrum(c, what + ".delta", spectrum(of_delta[1]), theirs["delta"])
        check_table7(c, what + ".correlation", table7(weight, of_weight, of_delta, adapter[2]["rank"]), theirs["correlation"])
        ours = full_in_subspace(update, full_spectrum, delta, of_delta)
        c.exact(what + ".full.rank", ours["rank"], theirs["full"]["rank"])
        for key in ("two_sided", "input_side", "output_side", "best", "random", "cosine"):
            c.number(what + ".full." + key, ours[key], theirs["full"][key])
    for theirs in layer_result["similarity"]:
        what = f"{name}.phi({theirs['first']}, {theirs['second']})"
        grid, dimension = phi(adapters[theirs["first"]][0][f"{name}.lora_A.weight"].astype(np.float64),
                              adapters[theirs["second"]][0][f"{name}.lora_A.weight"].astype(np.float64))
        c.exact(what + ".dimension", dimension, theirs["similarity"]["dimension"])
        c.array(what, grid, theirs["similarity"]["phi"])
        c.number(what + ".phi11", float(grid[0, 0]), theirs["phi11"])
        c.number(what + ".mean_top", float(np.mean(grid[:TOP, :TOP])), theirs["mean_top"])
        c.number(what + ".random_phi11", 1.0 / dimension, theirs["random_phi11"])
        c.number(what + ".random_mean_top", float(np.mean(random_phi(min(TOP, grid.shape[0]), min(TOP, grid.shape[1]), dimension))),
                 theirs["random_mean_top"])
    return full_spectrum, of_update


def check_accuracy(c, result, base, base_meta, full, adapters, updates, data_dir):
    dataset = result["sources"]["dataset"]
    mean, std = DATASETS[dataset]
    images = read_idx(data_dir, "t10k-images-idx3-ubyte", 0x803)
    labels = read_idx(data_dir, "t10k-labels-idx1-ubyte", 0x801).astype(np.int64)
    x = (images.astype(np.float32) / np.float32(255) - np.float32(mean)) / np.float32(std)
    old = [int(v) for v in base_meta["toylora.old-classes"].split(",")]
    new = [int(v) for v in base_meta["toylora.new-classes"].split(",")]

    def accuracy(weights):
        predicted = np.argmax(logits(weights, x), axis=1)
        right = predicted == labels
        group = lambda classes: 100.0 * np.mean(right[np.isin(labels, classes)])
        return {"overall": 100.0 * np.mean(right), "old": group(old), "new": group(new)}

    def compare(what, ours, theirs):
        for key in ("overall", "old", "new"):
            c.count += 1
            if abs(ours[key] - theirs[key]) > 0.05 + 1e-9:
                c.failures.append(f"accuracy of {what} ({key}): numpy {ours[key]:.2f}, runner {theirs[key]:.2f}")

    measured = result["accuracy"]
    compare("the base", accuracy(base), measured["base"])
    compare("the full fine-tune", accuracy(full), measured["full"])
    for t in measured["truncated"]:
        weights = {k: v.astype(np.float64) for k, v in full.items()}  # the fine-tuned biases, as the runner's truncations keep
        for layer, (u, s, v) in updates.items():
            r = min(t["rank"], numerical_rank(s))
            weights[f"{layer}.weight"] = base[f"{layer}.weight"].astype(np.float64) + (u[:, :r] * s[:r]) @ v[:, :r].T
        compare(f"the full update at rank {t['rank']}", accuracy(weights), t["accuracy"])
    for t in measured["adapters"]:
        tensors, meta, _ = adapters[t["adapter"]]
        compare(t["adapter"], accuracy(merge(base, tensors, meta)[0]), t["accuracy"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("analysis", nargs="?", default="results/analysis", help="the folder holding analysis.json")
    parser.add_argument("--layer", action="append", help="check only this layer (repeatable; default: every layer)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest deviation, absolute below 1 and relative above")
    parser.add_argument("--accuracy", action="store_true", help="also evaluate every model on the test set")
    parser.add_argument("--data", help="the data set's folder (default: data/<dataset>)")
    args = parser.parse_args()

    path = os.path.join(args.analysis, "analysis.json")
    with open(path) as f:
        result = json.load(f)
    if result.get("schema") != "toylora.analysis/1":
        raise Failure(f"{path}: schema {result.get('schema')!r}, expected toylora.analysis/1")
    base, base_meta, full, adapters = read_sources(result["sources"])
    layers = [l for l in result["layers"] if not args.layer or l["layer"] in args.layer]
    missing = set(args.layer or []) - {l["layer"] for l in result["layers"]}
    if missing:
        raise Failure(f"{path}: no layer {sorted(missing)}; it has {[l['layer'] for l in result['layers']]}")
    print(f"analysis check of {path} with numpy {np.__version__}: base {result['sources']['base']}, full fine-tune {result['sources']['full']}, "
          f"{len(adapters)} adapters (all of that base)")

    c = Checker(args.tolerance)
    print()
    print("| layer | k for 90% (99%) | " + " | ".join(f"phi(1,1) / mean {TOP}x{TOP}, {p['first']} vs {p['second']}" for p in result["sources"]["pairs"])
          + " | amplification per adapter rank |")
    print("|---|---:|" + "---:|" * len(result["sources"]["pairs"]) + "---|")
    updates = {}
    for layer_result in result["layers"]:
        name = layer_result["layer"]
        if layer_result in layers:
            full_spectrum, updates[name] = check_layer(c, result, layer_result, base, full, adapters)
            cells = [f"{full_spectrum['k90']} ({full_spectrum['k99']})"]
            for p in result["sources"]["pairs"]:
                s = [x for x in layer_result["similarity"] if x["first"] == p["first"] and x["second"] == p["second"]]
                cells.append(f"{s[0]['phi11']:.2f} / {s[0]['mean_top']:.2f}" if s else "-")
            firsts = {}
            for a in layer_result["adapters"]:
                firsts.setdefault(a["rank"], a["correlation"]["amplification"])
            cells.append(", ".join(f"r={r}: {v:.2f}" for r, v in sorted(firsts.items())))
            print(f"| {name} | " + " | ".join(cells) + " |")
        elif args.accuracy:
            weight = base[f"{name}.weight"].astype(np.float64)
            updates[name] = svd(full[f"{name}.weight"].astype(np.float64) - weight)
    if args.accuracy:
        data_dir = args.data or os.path.join("data", result["sources"]["dataset"])
        check_accuracy(c, result, base, base_meta, full, adapters, updates, data_dir)
    print()
    checked = ", ".join(l["layer"] for l in layers) + (" and the accuracies" if args.accuracy else "")
    if c.failures:
        for failure in c.failures[:20]:
            print("differs: " + failure)
        print(f"FAIL: {len(c.failures)} of {c.count} numbers of {checked} differ (tolerance {args.tolerance:g})")
        return 1
    print(f"OK: all {c.count} numbers of {checked} agree with {path} within {args.tolerance:g} (largest deviation {c.worst:.1e})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failure, OSError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
