#!/usr/bin/env python3
"""Helper of bench/whole-run.sh (standard library only, any python3):

  whole_run_report.py header                                              -> runs.csv's header
  whole_run_report.py java-row   ROUND LABEL ENV metrics.json TIME_FILE LOAD1 LOG  -> one runs.csv row (runner.jar)
  whole_run_report.py torch-row  ROUND LABEL ENV stdout.txt TIME_FILE LOAD1 LOG    -> one row (bench/pytorch_lora.py)
  whole_run_report.py peer-row   ROUND LABEL ENV stdout.txt TIME_FILE LOAD1 LOG    -> one row (DJL, DL4J: bench/peers)
  whole_run_report.py table      runs.csv fma-peak.txt [kernels.txt]      -> the Markdown tables
  whole_run_report.py readme     whole-run.md README.md LINK              -> its summary into README.md's speed-table block
  whole_run_report.py flops                                               -> FLOPs per image of each stage

TIME_FILE holds GNU time's "-f '%M %e'" line: peak resident set size in KiB, process wall seconds. ENV is the
environment the run had: "machine" (the machine's OPENBLAS_* overrides, as set) or "unset" (both removed for that
command alone, as on a user's machine). LOG is the run's log; its "Core: NAME" line (OpenBLAS prints it at load when
OPENBLAS_VERBOSE=2, which the script sets) is the kernel that run's OpenBLAS chose. kernels.txt holds the probes'
lines, each prefixed with its ENV (bench/peers/openblas-probe, bench/torch_blas_probe.py, the peers' --probe).
"""
import csv
import json
import re
import statistics
import sys

import readme_block  # beside this file

COLUMNS = ["round", "engine", "version", "pretrain_epochs", "finetune_epochs", "pretrain_s", "finetune_s",
           "pretrain_samples", "finetune_samples", "process_s", "peak_rss_kib", "base_cached", "base_old",
           "adapted_old", "adapted_new", "adapted_overall", "load1_before", "env", "blas_kernel"]

LAYERS = [(784, 512), (512, 256), (256, 128), (128, 10)]
RANK = 16  # lora-r16: rank 16 on fc1..fc4
ENV_NAMES = {"machine": "machine's OPENBLAS_* overrides", "unset": "overrides unset"}
# lora-r16's promise (docs/results.md, MnistEndToEndTest): base 0-7 >= 98.0; adapted 0-7 >= 98.3 and within 0.3 of the base,
# 8-9 >= 95.0, overall >= 98.0.
THRESHOLDS = "base 0–7 ≥ 98.0; adapted 0–7 ≥ 98.3 and ≥ base − 0.3, 8–9 ≥ 95, overall ≥ 98"


def pretrain_flops_per_image(layers=LAYERS):
    """Training FLOPs per image with every weight training (1 multiply-add = 2 FLOP), matrix products only.

    Per layer (in, out): forward x.W^T 2*in*out, weight gradient dW = dz^T.x 2*in*out, input gradient
    dx = dz.W 2*in*out for every layer but the first (nothing needs dL/d(pixels)). For 784-512-256-128-10:
    forward 2*566,528 = 1,133,056; dW 1,133,056; dx of fc2..fc4 2*(131,072+32,768+1,280) = 330,240;
    total 2,596,352 = ResultsWriter.trainingFlopsPerSample. Biases, ReLU, dropout, softmax and Adam's
    O(parameters) update per step are left out (all together ~3% more).
    """
    return sum(2 * i * o + 2 * i * o + (0 if k == 0 else 2 * i * o) for k, (i, o) in enumerate(layers))


def lora_flops_per_image(layers=LAYERS, r=RANK):
    """Training FLOPs per image for LoRA (W frozen) on every layer, as the engines compute it.

    Per layer (in, out), with u = x.A (A in x r) and y = x.W^T + b + s.u.B (B r x out):
      forward   x.W^T 2*in*out, u = x.A 2*in*r, u.B 2*r*out
      backward  dB = u^T.dz 2*r*out, du = dz.B^T 2*r*out, dA = x^T.du 2*in*r (no dW: W is frozen),
                dx = dz.W + du.A^T  2*in*out + 2*in*r, for every layer but the first.
    For r = 16: fc1 902,144 + fc2 598,016 + fc3 167,936 + fc4 18,368 = 1,686,464 per image (65% of pretraining's:
    the frozen W saves its weight gradient, the rank-16 branch adds 6%). The scaling by s, biases, ReLU,
    dropout, softmax and Adam are left out.
    """
    total = 0
    for k, (i, o) in enumerate(layers):
        total += 2 * i * o + 2 * i * r + 2 * r * o          # forward
        total += 2 * r * o + 2 * r * o + 2 * i * r           # dB, du, dA
        if k > 0:
            total += 2 * i * o + 2 * i * r                   # dx
    return total


def read_time(path):
    rss, wall = open(path).read().split()[-2:]
    return int(rss), float(wall)


def log_kernel(log):
    """The kernel named by OpenBLAS's "Core: NAME" line (OPENBLAS_VERBOSE=2), or oneDNN's instruction set as the onednn
    engine's backend line gives it ("oneDNN ISA", from "…, avx512_core kernels, …"), or "" when the run loaded neither."""
    try:
        with open(log, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*Core: (\S+)", line)
                if m:
                    return m.group(1)
                m = re.search(r"\(oneDNN [^,]*,[^,]*, (\S+) kernels,", line)
                if m:
                    return "oneDNN " + m.group(1)
    except OSError:
        pass
    return ""


def key_values(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)


def java_row(round_, label, env, metrics, time_file, load1, log):
    m = json.load(open(metrics))
    rss, wall = read_time(time_file)
    t, cfg = m["training"], m["config"]
    if t["base_cached"]:
        sys.exit(f"{metrics}: the base came from a cache, so pretraining was not measured")
    row = dict(round=round_, engine=label, version=m["backend_version"],
               pretrain_epochs=cfg["pretrain"]["epochs"], finetune_epochs=cfg["finetune"]["epochs"],
               pretrain_s=m["seconds"]["pretrain"], finetune_s=m["seconds"]["finetune"],
               pretrain_samples=t["pretrain_images"] * cfg["pretrain"]["epochs"],
               finetune_samples=(t["finetune_new_images"] + t["finetune_replayed_images"]) * cfg["finetune"]["epochs"],
               process_s=wall, peak_rss_kib=rss, base_cached=str(t["base_cached"]).lower(),
               base_old=m["base"]["old"], adapted_old=m["adapted"]["old"], adapted_new=m["adapted"]["new"],
               adapted_overall=m["adapted"]["overall"], load1_before=load1, env=env, blas_kernel=log_kernel(log))
    write_row(row)


def parse_stdout(stdout):
    """bench/pytorch_lora.py's and the peers' key=value lines, by kind."""
    kv = {}
    for line in open(stdout):
        fields = line.split()
        if not fields:
            continue
        head = fields[0]
        pairs = key_values(line)
        if head.startswith("stage="):
            kv[pairs["stage"]] = pairs
        elif head == "accuracy":
            kv[pairs["model"]] = pairs
        elif head in ("torch", "peer"):
            kv[head] = pairs
    return kv


def torch_row(round_, label, env, stdout, time_file, load1, log):
    kv = parse_stdout(stdout)
    rss, wall = read_time(time_file)
    p, f = kv["pretrain"], kv["finetune"]
    version = (f"torch {kv['torch']['version']}, {kv['torch']['threads']} threads, "
               f"OpenBLAS threads {kv['torch'].get('openblas_threads', '?')}")
    row = dict(round=round_, engine=label, version=version, pretrain_epochs=p["epochs"],
               finetune_epochs=f["epochs"], pretrain_s=p["seconds"], finetune_s=f["seconds"],
               pretrain_samples=p["samples"], finetune_samples=f["samples"], process_s=wall, peak_rss_kib=rss,
               base_cached="false", base_old=kv["base"]["old"], adapted_old=kv["adapted"]["old"],
               adapted_new=kv["adapted"]["new"], adapted_overall=kv["adapted"]["overall"], load1_before=load1,
               env=env, blas_kernel=log_kernel(log))
    write_row(row)


def peer_row(round_, label, env, stdout, time_file, load1, log):
    """A peer (bench/peers: DjlMnistMlp, Dl4jMnistMlp): pretraining always, LoRA fine-tuning where it has one."""
    kv = parse_stdout(stdout)
    rss, wall = read_time(time_file)
    p, peer = kv["pretrain"], kv["peer"]
    f = kv.get("finetune")
    name = peer.get("name", label)
    if name == "djl":
        version = (f"DJL {peer.get('version')} on {peer.get('engine')} {peer.get('engine_version')} "
                   f"({peer.get('features', '?').replace(',', ', ')}), {peer.get('threads')} threads, offline")
        kernel = "MKL"  # libtorch's sgemm is oneMKL's (static in libtorch_cpu.so), not an OpenBLAS
    else:
        version = (f"DL4J {peer.get('version')}, nd4j-native {peer.get('binary_level')} build, "
                   f"{peer.get('blas')} {peer.get('blas_config', '?').split('_')[1] if '_' in peer.get('blas_config', '') else '?'}, "
                   f"OMP threads {peer.get('omp_threads')}")
        kernel = log_kernel(log) or peer.get("blas_core", "")
    if f is None:
        version += "; pretraining only"
    row = dict(round=round_, engine=label, version=version, pretrain_epochs=p["epochs"],
               finetune_epochs=f["epochs"] if f else "", pretrain_s=p["seconds"], finetune_s=f["seconds"] if f else "",
               pretrain_samples=p["samples"], finetune_samples=f["samples"] if f else "", process_s=wall,
               peak_rss_kib=rss, base_cached="false", base_old=kv["base"]["old"],
               adapted_old=kv["adapted"]["old"] if f else "", adapted_new=kv["adapted"]["new"] if f else "",
               adapted_overall=kv["adapted"]["overall"] if f else "", load1_before=load1, env=env,
               blas_kernel=kernel)
    write_row(row)


def write_row(row):
    w = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
    w.writerow(row)


def fma_peaks(path):
    peaks = {}
    for line in open(path):
        fields = line.split()
        if fields and fields[0] in ("peak", "latency"):
            for f in fields[1:]:
                k, v = f.split("=", 1)
                peaks[k] = v
    return peaks


def spread(values, fmt="{:.1f}"):
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def number(v):
    return v not in (None, "")


def kind(label):
    base = label.split("@")[0]
    if base.startswith("pytorch"):
        return "pytorch"
    if base.startswith(("djl", "dl4j")):
        return "peer"
    return "engine"


def thresholds(r):
    """Which of lora-r16's thresholds a run misses ("" when it meets them all); pretraining only for peers without LoRA."""
    missed = []
    base = float(r["base_old"])
    if base < 98.0:
        missed.append(f"base 0–7 {base:.2f} < 98.0")
    if number(r["adapted_old"]):
        old, new, overall = float(r["adapted_old"]), float(r["adapted_new"]), float(r["adapted_overall"])
        if old < 98.3:
            missed.append(f"0–7 {old:.2f} < 98.3")
        if old < base - 0.3:
            missed.append(f"0–7 lost {base - old:.2f} > 0.3")
        if new < 95.0:
            missed.append(f"8–9 {new:.2f} < 95")
        if overall < 98.0:
            missed.append(f"overall {overall:.2f} < 98")
    return missed


def broken_accuracy(r):
    """Accuracies no training of this model reaches when it works, even after one epoch (a NaN, a collapse)."""
    out = []
    for k, floor in (("base_old", 80.0), ("adapted_old", 80.0), ("adapted_new", 50.0), ("adapted_overall", 80.0)):
        if number(r[k]) and not float(r[k]) >= floor:
            out.append(f"{k.replace('_', ' ')} {r[k]} < {floor:.0f}")
    return out


def mkl_banner(text):
    """'MKL_VERBOSE oneMKL 2024.0 Update 2 Product build … for Intel(R) 64 architecture <path>, Lnx …' -> short form."""
    m = re.search(r"(oneMKL|Intel\(R\) MKL) ([0-9.]+(?: Update \d+)?).*? for Intel\(R\) 64 architecture (.*?), Lnx", text)
    if not m:
        return text.replace("MKL_VERBOSE ", "")
    return f"oneMKL {m.group(2)}, code path \"{m.group(3)}\""


def read_kernels(path):
    """kernels.txt: '<env> <kind> key=value ...' lines, and '<env> mkl <text>' for MKL's verbose banner."""
    probes = {}
    if not path:
        return probes
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return probes
    for line in lines:
        parts = line.split(None, 2)
        if len(parts) < 2:
            continue
        env, what = parts[0], parts[1]
        rest = parts[2] if len(parts) > 2 else ""
        if what == "peer":
            what = "peer-" + key_values(rest).get("name", "?")
        entry = probes.setdefault(env, {}).setdefault(what, {})
        if what in ("mkl", "failed"):
            entry.setdefault("text", []).append(rest)
        else:
            entry.update(key_values(rest))
    return probes


def table(runs_csv, fma_file, kernels_file=None):
    rows = list(csv.DictReader(open(runs_csv)))
    for r in rows:
        r["env"] = r.get("env") or "machine"
        r["blas_kernel"] = r.get("blas_kernel") or ""
    peaks = fma_peaks(fma_file)
    labels = list(dict.fromkeys(r["engine"] for r in rows))
    envs = [e for e in ("machine", "unset") if any(r["env"] == e for r in rows)]
    n_threads = peaks.get("threads", "N")
    peak = {"fp32": float(peaks["fp32_nt"]), "fp64": float(peaks["fp64_nt"])}
    precision = {}  # every engine, peer and torch computes in float32
    by = {(e, v): [r for r in rows if r["engine"] == e and r["env"] == v] for e in labels for v in envs}
    flops = {"pretrain": pretrain_flops_per_image(), "finetune": lora_flops_per_image()}
    has_finetune = {k: all(number(r["finetune_s"]) for r in rs) for k, rs in by.items() if rs}

    def stage_values(key, stage):
        rs = by[key]
        if stage in ("pretrain", "finetune"):
            return [float(r[f"{stage}_s"]) for r in rs], [float(r[f"{stage}_samples"]) for r in rs], \
                   [float(r[f"{stage}_samples"]) * flops[stage] for r in rs]
        if stage == "pretrain+finetune":
            return [float(r["pretrain_s"]) + float(r["finetune_s"]) for r in rs], \
                   [float(r["pretrain_samples"]) + float(r["finetune_samples"]) for r in rs], \
                   [float(r["pretrain_samples"]) * flops["pretrain"] + float(r["finetune_samples"]) * flops["finetune"]
                    for r in rs]
        return [float(r["process_s"]) for r in rs], None, None  # whole process

    def has(key, stage):
        return bool(by.get(key)) and (stage in ("pretrain", "process") or has_finetune[key])

    def median_wall(key, stage):
        return statistics.median(stage_values(key, stage)[0]) if has(key, stage) else None

    def ratio(a, b):
        return f"{a / b:.2f}×" if a is not None and b else "—"

    def kernels_of(key):
        ks = sorted({r["blas_kernel"] for r in by[key] if r["blas_kernel"]})
        return ", ".join(ks) if ks else ("— (no BLAS)" if key[0].split("@")[0] == "ojalgo" else "—")

    stages = ["pretrain", "finetune", "pretrain+finetune", "process"]
    torch_labels = [e for e in labels if kind(e) == "pytorch"]
    peer_labels = [e for e in labels if kind(e) in ("pytorch", "peer")]
    engine_labels = [e for e in labels if kind(e) == "engine"]
    probes = read_kernels(kernels_file)
    out = []

    # 1. The kernels each BLAS chose, with the machine's overrides and without.
    if probes:
        out.append("**Kernels each BLAS chose** (probes run before the rounds, in each environment; the runs' own "
                   "\"Core:\" lines, printed by OpenBLAS at load with OPENBLAS_VERBOSE=2, are in the next table):")
        out.append("")
        out.append("| who | BLAS | " + " | ".join(ENV_NAMES.get(v, v) for v in envs) + " |")
        out.append("|---|---|" + "---|" * len(envs))

        def cell(v, what, fmt):
            p = probes.get(v, {}).get(what)
            return fmt(p) if p else "—"

        ob = lambda p: (f"**{p.get('core')}**, sgemm {p.get('sgemm_gflops_1t')} GFLOP/s on 1 thread, "  # noqa: E731
                        f"max rel. error {p.get('max_rel_err')}")
        tb = lambda p: (f"**{p.get('core')}**, torch.mm {p.get('mm_gflops_1t')} GFLOP/s on 1 thread"  # noqa: E731
                        + (" — **REFERENCE BLAS**" if p.get("reference") == "true" else "")
                        + (" — **slow**" if p.get("slow") == "true" and p.get("reference") != "true" else ""))
        d4 = lambda p: f"**{p.get('blas_core')}**; libnd4jcpu binary {p.get('binary_level')}, CPU {p.get('cpu_level')}"  # noqa: E731

        def dj(v):
            mkl = probes.get(v, {}).get("mkl", {}).get("text", [])
            rate = probes.get(v, {}).get("djl-probe", {}).get("matmul_gflops")
            text = mkl_banner(mkl[0]) if mkl else "MKL banner not seen"
            return f"{text}; matMul {rate or '?'} GFLOP/s on 1 thread"

        first = {v: probes.get(v, {}) for v in envs}
        any_env = next((first[v] for v in envs if first[v]), {})
        if "openblas" in any_env:
            p = any_env["openblas"]
            out.append(f"| openblas engine | OpenBLAS {p.get('version')} (JavaCPP preset {p.get('preset')}, "
                       f"{p.get('library')}) | " + " | ".join(cell(v, "openblas", ob) for v in envs) + " |")
        if "torchblas" in any_env:
            p = any_env["torchblas"]
            out.append(f"| PyTorch (Debian's torch {p.get('torch')}) | {p.get('api')} {p.get('version')} "
                       f"({p.get('library')}, via {p.get('libblas')}) | "
                       + " | ".join(cell(v, "torchblas", tb) for v in envs) + " |")
        if "peer-dl4j" in any_env:
            p = any_env["peer-dl4j"]
            rate = lambda v: probes.get(v, {}).get("dl4j-probe", {}).get("mmul_gflops", "?")  # noqa: E731
            cfg = p.get("blas_config", "?").split("_")
            out.append(f"| DL4J {p.get('version')} (nd4j-native) | OpenBLAS {cfg[1] if len(cfg) > 1 else '?'} "
                       f"(JavaCPP's, loaded by libnd4jcpu) | "
                       + " | ".join(cell(v, "peer-dl4j", d4) + f", mmul {rate(v)} GFLOP/s on 1 thread" for v in envs)
                       + " |")
        if "peer-djl" in any_env:
            p = any_env["peer-djl"]
            out.append(f"| DJL {p.get('version')} (libtorch {p.get('engine_version')}) | oneMKL, static in "
                       f"libtorch_cpu.so ({p.get('features', '?').replace(',', ', ')}); OPENBLAS_* do not apply | "
                       + " | ".join(dj(v) if probes.get(v, {}).get("peer-djl") else "—" for v in envs) + " |")
        if "jvm" in any_env and any(e.split("@")[0] == "ojalgo" for e in labels):
            p = any_env["jvm"]
            out.append(f"| ojalgo engine | none: ojAlgo's Java loops, vectorised by HotSpot's C2 | "
                       + " | ".join(f"UseAVX={probes.get(v, {}).get('jvm', {}).get('use_avx', '?')}" for v in envs)
                       + " |")
        for v in envs:
            for text in probes.get(v, {}).get("failed", {}).get("text", []):
                out.append(f"| **probe failed** ({ENV_NAMES.get(v, v)}) | {text} | " + " | " * (len(envs) - 1) + " |")
        out.append("")

    # 2. Every engine against every peer, per environment: engine wall ÷ peer wall (pretraining · whole run).
    if engine_labels and peer_labels:
        out.append("**Every engine against every peer**: the engine's median wall time ÷ the peer's, same environment; "
                   "each cell *pretraining · pretrain+finetune* (— where the peer has no LoRA stage); < 1 means the "
                   "engine is faster.")
        out.append("")
        out.append("| engine | environment | " + " | ".join(peer_labels) + " |")
        out.append("|---|---|" + "---:|" * len(peer_labels))
        for e in engine_labels:
            for v in envs:
                if not by[(e, v)]:
                    continue
                cells = []
                for p in peer_labels:
                    pre = ratio(median_wall((e, v), "pretrain"), median_wall((p, v), "pretrain"))
                    both = ratio(median_wall((e, v), "pretrain+finetune"), median_wall((p, v), "pretrain+finetune"))
                    cells.append(f"{pre} · {both}")
                out.append(f"| {e} | {ENV_NAMES.get(v, v)} | " + " | ".join(cells) + " |")
        out.append("")

    # 3. Side by side: each set-up with the machine's overrides and without.
    if len(envs) == 2:
        out.append("**With the machine's overrides and without**, side by side (median wall s; kernel = the runs' "
                   "OpenBLAS \"Core:\" line):")
        out.append("")
        out.append("| set-up | stage | wall s, overrides | kernel | wall s, unset | kernel | unset ÷ overrides |")
        out.append("|---|---|---:|---|---:|---|---:|")
        for e in labels:
            a, b = (e, "machine"), (e, "unset")
            if not by[a] or not by[b]:
                continue
            for s in ("pretrain", "finetune", "pretrain+finetune"):
                if not (has(a, s) and has(b, s)):
                    continue
                wa, wb = median_wall(a, s), median_wall(b, s)
                name = f"**{s}**" if s == "pretrain+finetune" else s
                out.append(f"| {e} | {name} | {wa:.1f} | {kernels_of(a)} | {wb:.1f} | {kernels_of(b)} | {ratio(wb, wa)} |")
        out.append("")

    # 4. The stages in detail (the table of old, with the environment).
    out.append(f"| set-up | environment | stage | wall s, median (min–max) | samples/s | GFLOP/s | % of FMA peak "
               f"({n_threads} threads) | peak RSS MiB |" + "".join(f" wall ÷ {t}'s |" for t in torch_labels))
    out.append("|---|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(torch_labels))
    for e in labels:
        for v in envs:
            key = (e, v)
            if not by[key]:
                continue
            prec = precision.get(e, "fp32")
            rss = statistics.median([int(r["peak_rss_kib"]) / 1024 for r in by[key]])
            for s in stages:
                if not has(key, s):
                    continue
                walls, samples, fl = stage_values(key, s)
                if samples:
                    sps = statistics.median([n / w for n, w in zip(samples, walls)])
                    gf = statistics.median([f / w / 1e9 for f, w in zip(fl, walls)])
                    pct_text = f"{100 * gf / peak[prec]:.1f}% of {prec}"
                    sps_text, gf_text = f"{sps:,.0f}", f"{gf:.1f}"
                else:
                    sps_text = gf_text = pct_text = "—"
                ratios = "".join(f" {ratio(statistics.median(walls), median_wall((t, v), s))} |" for t in torch_labels)
                name = f"**{s}**" if s == "pretrain+finetune" else s
                if s == "process" and not has_finetune[key]:
                    name = "process (pretraining only)"
                out.append(f"| {e} | {v} | {name} | {spread(walls)} | {sps_text} | {gf_text} | {pct_text} | "
                           f"{rss:,.0f} |{ratios}")

    # 5. Engines against their baseline build.
    baselines = [e for e in labels if e.endswith("@baseline")]
    if baselines:
        out.append("")
        out.append("**Current build against the baseline** (BASELINE_DIR's runner.jar and engine jars), "
                   "median wall s:")
        out.append("")
        out.append("| engine | environment | stage | current | baseline | current ÷ baseline |")
        out.append("|---|---|---|---:|---:|---:|")
        for b in baselines:
            cur = b.split("@")[0]
            for v in envs:
                if not by.get((cur, v)) or not by.get((b, v)):
                    continue
                for s in stages:
                    c, o = median_wall((cur, v), s), median_wall((b, v), s)
                    name = f"**{s}**" if s == "pretrain+finetune" else s
                    out.append(f"| {cur} | {v} | {name} | {c:.1f} | {o:.1f} | {ratio(c, o)} |")

    # 6. Accuracies, to show it is the same experiment, and lora-r16's thresholds.
    out.append("")
    out.append("| set-up | environment | runs | epochs (pretrain / finetune) | base 0–7 % | adapted 0–7 % | adapted 8–9 % "
               "| adapted overall % | lora-r16 thresholds | load average before (min–max) | version |")
    out.append("|---|---|---:|---|---:|---:|---:|---:|---|---|---|")
    short = any(int(r["pretrain_epochs"]) < 10 for r in rows)
    for e in labels:
        for v in envs:
            rs = by[(e, v)]
            if not rs:
                continue
            med = lambda k: (f"{statistics.median(float(r[k]) for r in rs):.2f}"  # noqa: E731
                             if all(number(r[k]) for r in rs) else "—")
            loads = [float(r["load1_before"]) for r in rs]
            epochs = sorted({f"{r['pretrain_epochs']} / {r['finetune_epochs'] or '—'}" for r in rs})
            missed = sorted({m for r in rs for m in thresholds(r)})
            broken = [m for r in rs for m in broken_accuracy(r)]
            if broken:
                verdict = "**broken**: " + "; ".join(sorted(set(broken)))
            elif short:
                verdict = "not judged (short run)"
            else:
                verdict = ("met" if not missed else "**missed**: " + "; ".join(missed))
                if not has_finetune[(e, v)] and not missed:
                    verdict = "met (base only)"
            out.append(f"| {e} | {v} | {len(rs)} | {', '.join(epochs)} | {med('base_old')} | {med('adapted_old')} | "
                       f"{med('adapted_new')} | {med('adapted_overall')} | {verdict} | {min(loads):.2f}–{max(loads):.2f} | "
                       f"{rs[0]['version']} |")

    out.append("")
    out.append(f"FMA peak measured by bench/fma-peak.c (best of its repetitions; GFLOP/s): fp32 "
               f"{peaks['fp32_1t']} on 1 thread, {peaks['fp32_nt']} on {n_threads}; fp64 {peaks['fp64_1t']} on 1 thread, "
               f"{peaks['fp64_nt']} on {n_threads}; one dependent FMA chain (latency-bound): fp32 {peaks['fp32_1acc_1t']}, "
               f"fp64 {peaks['fp64_1acc_1t']}.")
    out.append("")
    out.append(f"FLOPs counted: training matrix products only (1 multiply-add = 2 FLOP) — pretraining "
               f"{flops['pretrain']:,} per image (forward, every weight gradient, input gradients but the first layer's), "
               f"LoRA r={RANK} fine-tuning {flops['finetune']:,} per image (W frozen: no dW; A, B and their products; "
               f"see bench/whole_run_report.py). A stage's wall time also covers its per-epoch evaluation on the 10,000 "
               f"test images (forward only, ~{10000 * 2 * sum(i * o for i, o in LAYERS) / 1e9:.1f} GFLOP per epoch, "
               f"not counted), so GFLOP/s is the rate of useful training work over the stage. samples/s = images "
               f"trained ÷ stage wall s. \"process\" is the whole process from GNU time (JVM or Python start, data "
               f"loading, evaluation, writing results). Peak RSS is the whole process's (GNU time %M). "
               f"wall ÷ PyTorch's < 1 means faster than PyTorch (same environment). Environments: \"machine\" = the "
               f"OPENBLAS_* overrides this machine sets for every process; \"unset\" = both removed for that command "
               f"alone, as on a user's machine. lora-r16 thresholds: {THRESHOLDS}.")
    print("\n".join(out))


def readme(whole_run_md, readme_md, link):
    """Copies whole-run.md's summary (machine, kernels, engines against peers, the pretraining and whole-run rows) into
    readme_md between <!-- speed-table:begin --> and <!-- speed-table:end -->, so the README shows exactly what ran."""
    lines = open(whole_run_md, encoding="utf-8").read().split("\n")
    keep = []
    facts = [l.strip().split(";")[0] for l in lines if l.strip().split(":")[0] in ("date", "cpu", "isa", "OpenBLAS overrides this machine sets")]
    keep.append(f"From [{link}]({link}), generated by `bench/whole-run.sh`: " + "; ".join(facts) + ".")
    tables, current, before = [], [], ""
    for l in lines:
        if l.startswith("|"):
            if not current:
                current.append(before)
            current.append(l)
        else:
            if current:
                tables.append(current)
                current = []
            if l.strip():
                before = l
    if current:
        tables.append(current)
    for t in tables:
        title, rows = t[0], t[1:]
        header = rows[0]
        if header.startswith("| who |") or header.startswith("| engine | environment |"):
            keep += ["", title, ""] + rows
        elif header.startswith("| set-up | environment | stage |"):
            picked = [r for r in rows[2:] if "| **pretrain+finetune** |" in r or "| pretrain |" in r]
            keep += ["", "Pretraining, and pretraining + fine-tuning (a peer without a LoRA stage has pretraining only):", ""] + rows[:2] + picked
    keep += [""] + [l for l in lines if l.startswith("FMA peak measured")]
    readme_block.fill(readme_md, "speed-table", "\n".join(keep))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "java-row" and len(argv) == 9:
        java_row(*argv[2:])
    elif cmd == "torch-row" and len(argv) == 9:
        torch_row(*argv[2:])
    elif cmd == "peer-row" and len(argv) == 9:
        peer_row(*argv[2:])
    elif cmd == "table" and len(argv) in (4, 5):
        table(*argv[2:])
    elif cmd == "readme" and len(argv) == 5:
        readme(*argv[2:])
    elif cmd == "header":
        print(",".join(COLUMNS))
    elif cmd == "flops":
        print(f"pretrain {pretrain_flops_per_image()} finetune {lora_flops_per_image()}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
