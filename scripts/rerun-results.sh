#!/usr/bin/env bash
# Runs every committed experiment again and regenerates results/ (all but results/bench, which bench/whole-run.sh
# writes) and the text generated from them (README.md's results table, docs/results.md's sweep tables,
# docs/analysis.md's section): what to do after a change to an engine's arithmetic, so that what is committed under
# results/ is what the committed code produces. Cached bases are cleared first (a base from an earlier
# engine must not be reused). Tens of minutes on 2 cores; run from a clean checkout after `mvn package`.
#
#   scripts/rerun-results.sh            # uses toylora-runner/target/runner.jar and toylora-engine-openblas/target/engine-openblas.jar
#   BUILD_DIR=/tmp/b scripts/rerun-results.sh   # jars built with -Dtoylora.build.dir=/tmp/b/\${project.artifactId}
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -n "${BUILD_DIR:-}" ]; then
  RUNNER="$BUILD_DIR/toylora-runner/runner.jar"; OPENBLAS="$BUILD_DIR/toylora-engine-openblas/engine-openblas.jar"
else
  RUNNER="toylora-runner/target/runner.jar"; OPENBLAS="toylora-engine-openblas/target/engine-openblas.jar"
fi
for jar in "$RUNNER" "$OPENBLAS"; do [ -f "$jar" ] || { echo "rerun-results: $jar is missing: build first (mvn -DskipTests package)" >&2; exit 1; }; done
[ -d data/mnist ] || { echo "rerun-results: data/mnist is missing: run scripts/fetch-mnist.sh" >&2; exit 1; }
[ -d data/fashion-mnist ] || { echo "rerun-results: data/fashion-mnist is missing: run scripts/fetch-fashion-mnist.sh" >&2; exit 1; }

run() { echo "== $*" >&2; java -jar "$RUNNER" --no-progress "$@"; }

rm -rf results/.cache
# Experiments in an order that pretrains each base once (the rest take it from results/.cache/bases).
for experiment in lora-r16 lora-r16-naive full-finetune lora-r16-classifier lora-r16-eight lora-r16-nine \
                  rank-sweep target-sweep lora-r16-seeds fashion-lora-r16 fashion-lora-r16-naive \
                  lora-r16-lwf lora-r16-ewc lora-r16-synthetic fashion-lora-r16-synthetic; do
  rm -rf "results/$experiment"
  run "experiments/$experiment.yaml"
done
# Keeping 0–7 without old images on the OpenBLAS engine: the other split, and the validation sweeps that chose the settings.
for experiment in split-0-4-naive split-0-4-synthetic tune-synthetic tune-lwf tune-ewc; do
  rm -rf "results/$experiment"
  java -cp "$RUNNER:$OPENBLAS" dev.toylora.runner.cli.Main --no-progress "experiments/$experiment.yaml"
done
rm -rf results/adapters-8-and-9
run adapters --base results/lora-r16/checkpoints/base.safetensors \
    --adapter eight=results/lora-r16-eight/checkpoints/adapter.safetensors \
    --adapter nine=results/lora-r16-nine/checkpoints/adapter.safetensors \
    --adapter lora-r16=results/lora-r16/checkpoints/adapter.safetensors \
    --combine eight=1,nine=1 --mode cat,linear --out results/adapters-8-and-9
rm -rf results/lora-r16-openblas
echo "== lora-r16 on openblas" >&2
java -cp "$RUNNER:$OPENBLAS" dev.toylora.runner.cli.Main --no-progress experiments/lora-r16.yaml backend=openblas name=lora-r16-openblas
run report --readme README.md --readme docs/results.md --readme docs/retention.md

# The LoRA paper's §7 analysis of the regenerated checkpoints (results/analysis and docs/analysis.md's generated section).
ranks=(); for d in $(ls -d results/rank-sweep/rank=* | sort -t= -k2 -n); do ranks+=(--adapter "r${d##*=}=$d/checkpoints/adapter.safetensors"); done
run analyze --base results/full-finetune/checkpoints/base.safetensors --full results/full-finetune/checkpoints/finetuned.safetensors "${ranks[@]}" \
    --adapter lora-r16=results/lora-r16/checkpoints/adapter.safetensors --adapter seeds.42=results/lora-r16-seeds/seed=42/checkpoints/adapter.safetensors \
    --similarity r8:r64 --similarity lora-r16:seeds.42 --out results/analysis --readme docs/analysis.md
