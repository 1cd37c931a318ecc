#!/usr/bin/env python3
"""Helper of bench/whole-run.sh (standard library only, any python3):

  whole_run_report.py java-row   ROUND ENGINE metrics.json TIME_FILE LOAD1   -> one runs.csv row
  whole_run_report.py torch-row  ROUND stdout.txt TIME_FILE LOAD1            -> one runs.csv row
  whole_run_report.py table      runs.csv fma-peak.txt                       -> the Markdown tables

TIME_FILE holds GNU time's "-f '%M %e'" line: peak resident set size in KiB, process wall seconds.
"""
import csv
import json
import statistics
import sys

COLUMNS = ["round", "engine", "version", "pretrain_epochs", "finetune_epochs", "pretrain_s", "finetune_s",
           "pretrain_samples", "finetune_samples", "process_s", "peak_rss_kib", "base_cached", "base_old",
           "adapted_old", "adapted_new", "adapted_overall", "load1_before"]

LAYERS = [(784, 512), (512, 256), (256, 128), (128, 10)]
RANK = 16  # lora-r16: rank 16 on fc1..fc4


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


def java_row(round_, engine, metrics, time_file, load1):
    m = json.load(open(metrics))
    rss, wall = read_time(time_file)
    t, cfg = m["training"], m["config"]
    if t["base_cached"]:
        sys.exit(f"{metrics}: the base came from a cache, so pretraining was not measured")
    row = dict(round=round_, engine=engine, version=m["backend_version"],
               pretrain_epochs=cfg["pretrain"]["epochs"], finetune_epochs=cfg["finetune"]["epochs"],
               pretrain_s=m["seconds"]["pretrain"], finetune_s=m["seconds"]["finetune"],
               pretrain_samples=t["pretrain_images"] * cfg["pretrain"]["epochs"],
               finetune_samples=(t["finetune_new_images"] + t["finetune_replayed_images"]) * cfg["finetune"]["epochs"],
               process_s=wall, peak_rss_kib=rss, base_cached=str(t["base_cached"]).lower(),
               base_old=m["base"]["old"], adapted_old=m["adapted"]["old"], adapted_new=m["adapted"]["new"],
               adapted_overall=m["adapted"]["overall"], load1_before=load1)
    write_row(row)


def torch_row(round_, label, stdout, time_file, load1):
    kv = {}
    for line in open(stdout):
        fields = line.split()
        if not fields:
            continue
        head = fields[0]
        pairs = dict(f.split("=", 1) for f in fields if "=" in f)
        if head.startswith("stage="):
            kv[pairs["stage"]] = pairs
        elif head == "accuracy":
            kv[pairs["model"]] = pairs
        elif head == "torch":
            kv["torch"] = pairs
    rss, wall = read_time(time_file)
    p, f = kv["pretrain"], kv["finetune"]
    version = (f"torch {kv['torch']['version']}, {kv['torch']['threads']} threads, "
               f"OpenBLAS threads {kv['torch'].get('openblas_threads', '?')}")
    row = dict(round=round_, engine=label, version=version, pretrain_epochs=p["epochs"],
               finetune_epochs=f["epochs"], pretrain_s=p["seconds"], finetune_s=f["seconds"],
               pretrain_samples=p["samples"], finetune_samples=f["samples"], process_s=wall, peak_rss_kib=rss,
               base_cached="false", base_old=kv["base"]["old"], adapted_old=kv["adapted"]["old"],
               adapted_new=kv["adapted"]["new"], adapted_overall=kv["adapted"]["overall"], load1_before=load1)
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


def table(runs_csv, fma_file):
    rows = list(csv.DictReader(open(runs_csv)))
    peaks = fma_peaks(fma_file)
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    n_threads = peaks.get("threads", "N")
    peak = {"fp32": float(peaks["fp32_nt"]), "fp64": float(peaks["fp64_nt"])}
    # Engines that compute in double get their % of the fp64 peak. None now: every engine and torch compute in float32
    # (the ojAlgo engine did in double up to its numerics 2).
    precision = {}
    by = {e: [r for r in rows if r["engine"] == e] for e in engines}
    flops = {"pretrain": pretrain_flops_per_image(), "finetune": lora_flops_per_image()}

    def stage_values(e, stage):
        rs = by[e]
        if stage in ("pretrain", "finetune"):
            return [float(r[f"{stage}_s"]) for r in rs], [float(r[f"{stage}_samples"]) for r in rs], \
                   [float(r[f"{stage}_samples"]) * flops[stage] for r in rs]
        if stage == "pretrain+finetune":
            return [float(r["pretrain_s"]) + float(r["finetune_s"]) for r in rs], \
                   [float(r["pretrain_samples"]) + float(r["finetune_samples"]) for r in rs], \
                   [float(r["pretrain_samples"]) * flops["pretrain"] + float(r["finetune_samples"]) * flops["finetune"]
                    for r in rs]
        return [float(r["process_s"]) for r in rs], None, None  # whole process

    stages = ["pretrain", "finetune", "pretrain+finetune", "process"]
    # One ratio column per PyTorch set-up (threads), each against that set-up's median wall time.
    torch_labels = [e for e in engines if e.startswith("pytorch")]
    torch_median = {t: {s: statistics.median(stage_values(t, s)[0]) for s in stages} for t in torch_labels}

    out = []
    out.append(f"| engine | stage | wall s, median (min–max) | samples/s | GFLOP/s | % of FMA peak ({n_threads} threads) "
               f"| peak RSS MiB | " + " | ".join(f"wall ÷ {t}'s" for t in torch_labels) + " |")
    out.append("|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(torch_labels))
    for e in engines:
        prec = precision.get(e, "fp32")
        rss = statistics.median([int(r["peak_rss_kib"]) / 1024 for r in by[e]])
        for s in stages:
            walls, samples, fl = stage_values(e, s)
            # rates per run, then the median (not the rate of the medians)
            if samples:
                sps = statistics.median([n / w for n, w in zip(samples, walls)])
                gf = statistics.median([f / w / 1e9 for f, w in zip(fl, walls)])
                pct = 100 * gf / peak[prec]
                pct_text = f"{pct:.1f}% of {prec}"
                if prec == "fp64":
                    pct_text += f" ({100 * gf / peak['fp32']:.1f}% of fp32)"
                sps_text, gf_text = f"{sps:,.0f}", f"{gf:.1f}"
            else:
                sps_text = gf_text = pct_text = "—"
            ratios = " | ".join(f"{statistics.median(walls) / torch_median[t][s]:.2f}×" for t in torch_labels)
            name = f"**{s}**" if s == "pretrain+finetune" else s
            out.append(f"| {e} | {name} | {spread(walls)} | {sps_text} | {gf_text} | {pct_text} | {rss:,.0f} | {ratios} |")

    out.append("")
    out.append("| engine | runs | epochs (pretrain / finetune) | base 0–7 % | adapted 0–7 % | adapted 8–9 % | adapted overall % | load average before (min–max) | version |")
    out.append("|---|---:|---|---:|---:|---:|---:|---|---|")
    for e in engines:
        rs = by[e]
        med = lambda k: statistics.median(float(r[k]) for r in rs)  # noqa: E731
        loads = [float(r["load1_before"]) for r in rs]
        epochs = sorted({f"{r['pretrain_epochs']} / {r['finetune_epochs']}" for r in rs})
        out.append(f"| {e} | {len(rs)} | {', '.join(epochs)} | {med('base_old'):.2f} | {med('adapted_old'):.2f} | "
                   f"{med('adapted_new'):.2f} | {med('adapted_overall'):.2f} | {min(loads):.2f}–{max(loads):.2f} | "
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
               f"wall ÷ PyTorch's < 1 means faster than PyTorch.")
    print("\n".join(out))


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "java-row" and len(argv) == 7:
        java_row(*argv[2:])
    elif cmd == "torch-row" and len(argv) == 7:
        torch_row(*argv[2:])
    elif cmd == "table" and len(argv) == 4:
        table(*argv[2:])
    elif cmd == "header":
        print(",".join(COLUMNS))
    elif cmd == "flops":
        print(f"pretrain {pretrain_flops_per_image()} finetune {lora_flops_per_image()}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
