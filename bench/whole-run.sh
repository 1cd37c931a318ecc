#!/usr/bin/env bash
# The whole-run benchmark (issues 6 and 16): experiments/lora-r16.yaml end to end on each engine, the same experiment
# in PyTorch (bench/pytorch_lora.py), and the same MLP in what a JVM user would choose instead — DJL on libtorch and
# DL4J (bench/peers) — on this machine, in one go, runs alternating; every set-up once with the machine's OPENBLAS_*
# overrides and once without them (a user's machine has none); then Markdown tables: the kernel each BLAS chose,
# every engine against every peer, the two environments side by side, and per stage wall seconds (median, min–max),
# samples/s, GFLOP/s, % of the machine's FMA peak (measured here by bench/fma-peak.c), peak RSS, and the ratio of each
# set-up's median wall time to PyTorch's.
#
#   bench/whole-run.sh                      # from the repository root or anywhere; a fresh clone is enough
#   EPOCHS=1 RUNS=1 bench/whole-run.sh      # smoke test (numbers not comparable with full runs)
#
# Settings (environment variables):
#   RUNS=3                   rounds; each round runs every set-up once per environment, in lineup order
#   ENGINES="ojalgo openblas onednn" JVM engines to run (space or comma separated)
#   SKIP_TORCH=0             1: leave PyTorch out (no ratio columns then)
#   PEERS="djl dl4j"         JVM frameworks a user would choose instead (bench/peers; "" for none): djl = DJL 0.36 on
#                            libtorch 2.7.1 (pretraining and LoRA), dl4j = DL4J 1.0.0-M2.1 (pretraining: no LoRA)
#   DJL_THREADS="1 2"        thread counts DJL runs with (labels djl-1t, djl-2t): each reported, so its best is there
#   DL4J_THREADS="1"         the same for DL4J. Not 2 by default: with OMP_NUM_THREADS=2, DL4J 1.0.0-M2.1's bundled
#                            OpenBLAS 0.3.19 runs out of buffers ("too many memory regions") and the JVM dies in
#                            sgemm_incopy (seen here with both the Haswell and the auto-detected kernel)
#   PEER_THREADS=            if set, the thread counts of every peer (overrides the two above)
#   ENVS="machine unset"     environments: "machine" = as this machine sets OPENBLAS_* for every process; "unset" =
#                            OVERRIDE_VARS removed for that command alone (env -u), as on a user's machine
#   OVERRIDE_VARS="OPENBLAS_CORETYPE OPENBLAS_L2_SIZE"  what "unset" removes
#   BASELINE_DIR=            a folder holding runner.jar and the engine jars (engine-openblas.jar, engine-onednn.jar)
#                            of an earlier build: adds ENGINE@baseline, each run right after the current engine, and a
#                            table current ÷ baseline (an engine A/B comparison under the same conditions)
#   EPOCHS=                  override both stages' epochs (default: the experiment's 10 and 10)
#   OUT=results/bench        where whole-run.md, runs.csv, kernels.txt, fma-peak.txt, machine.txt and logs/ go
#   JAVA_OPTS=               extra JVM options for every JVM run (engines and peers), e.g. "-Xmx2g" (word-split)
#   JAVA=java                the java launcher
#   PYTHON=/usr/bin/python3  a python3 with torch and numpy (Debian's python3-torch; python3-threadpoolctl helps)
#   TORCH_CONFIGS="2x2 1x1"  PyTorch set-ups, each THREADSxBLAS_THREADS: torch.set_num_threads × OPENBLAS_NUM_THREADS
#                            (Debian's torch calls OpenBLAS, whose threads set_num_threads does not govern). The
#                            issue's reference is 2 threads; on these 2-core machines one thread is faster (its
#                            small products lose more to thread hand-offs than they gain), so both are measured and
#                            every set-up gets a ratio against each (columns "wall ÷ pytorch-2t's", "… pytorch-1t's").
#   ALLOW_REFERENCE_BLAS=0   1: run PyTorch even when its BLAS is the reference BLAS (flagged in the table); by
#                            default the script refuses (apt-get install libopenblas0-pthread gives it OpenBLAS)
#   ND4J_CLASSIFIER=         nd4j-native's native build for DL4J; default from the CPU: linux-x86_64-avx512 with
#                            AVX-512 (F, BW, DQ, VL), linux-x86_64-avx2 with AVX2, else linux-x86_64
#   FMA_SECONDS=1 FMA_REPS=3 fma-peak: seconds per repetition and repetitions per figure (best is kept)
#   BUILD_DIR=               build into BUILD_DIR/<module> (-Dtoylora.build.dir) instead of each module's target/
#   MVN_ARGS=                extra Maven arguments for the builds, e.g. "-o"
#
# Every run gets its own fresh, temporary --results folder, so no pretrained base is ever taken from the cache
# (<results>/.cache/bases); a run whose metrics.json says base_cached=true stops the benchmark. Every run has
# OPENBLAS_VERBOSE=2, so an OpenBLAS prints the kernel it chose ("Core: NAME") into the run's log. DJL runs offline:
# libtorch comes from the pytorch-native-cpu jar (Maven Central, fetched by the build), extracted once per benchmark
# into a temporary ENGINE_CACHE_DIR; nothing is downloaded at run time. A set-up that fails is named in the table
# with the end of its log, and the script exits 1 after writing it; nothing falls back silently.
# Needs: Java 17, Maven (only to build), gcc, GNU time (/usr/bin/time), python3 (+ torch, numpy unless SKIP_TORCH=1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-3}"
ENGINES="${ENGINES:-ojalgo openblas onednn}"
ENGINES="${ENGINES//,/ }"
SKIP_TORCH="${SKIP_TORCH:-0}"
PEERS="${PEERS-djl dl4j}"
PEERS="${PEERS//,/ }"
DJL_THREADS="${PEER_THREADS:-${DJL_THREADS:-1 2}}"
DJL_THREADS="${DJL_THREADS//,/ }"
DL4J_THREADS="${PEER_THREADS:-${DL4J_THREADS:-1}}"
DL4J_THREADS="${DL4J_THREADS//,/ }"
ENVS="${ENVS:-machine unset}"
ENVS="${ENVS//,/ }"
OVERRIDE_VARS="${OVERRIDE_VARS:-OPENBLAS_CORETYPE OPENBLAS_L2_SIZE}"
BASELINE_DIR="${BASELINE_DIR:-}"
EPOCHS="${EPOCHS:-}"
OUT="${OUT:-$ROOT/results/bench}"
JAVA="${JAVA:-java}"
PYTHON="${PYTHON:-/usr/bin/python3}"
TORCH_CONFIGS="${TORCH_CONFIGS:-2x2 1x1}"
ALLOW_REFERENCE_BLAS="${ALLOW_REFERENCE_BLAS:-0}"
ND4J_CLASSIFIER="${ND4J_CLASSIFIER:-}"
FMA_SECONDS="${FMA_SECONDS:-1}"
FMA_REPS="${FMA_REPS:-3}"
BUILD_DIR="${BUILD_DIR:-}"
EXPERIMENT="experiments/lora-r16.yaml"
read -r -a JAVA_ARGS <<< "${JAVA_OPTS:-}"
read -r -a MVN_EXTRA <<< "${MVN_ARGS:-}"

die() { echo "whole-run: $*" >&2; exit 1; }
say() { echo "whole-run: $*" >&2; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ -z "$EPOCHS" || "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || die "EPOCHS must be a positive integer, not '$EPOCHS'"
for e in $ENGINES; do [[ "$e" == ojalgo || "$e" == openblas || "$e" == onednn ]] || die "unknown engine '$e' (ojalgo, openblas, onednn)"; done
for p in $PEERS; do [[ "$p" == djl || "$p" == dl4j ]] || die "unknown peer '$p' (djl, dl4j)"; done
for t in $DJL_THREADS $DL4J_THREADS; do [[ "$t" =~ ^[1-9][0-9]*$ ]] || die "a peer thread count is '$t', not a positive integer"; done
for v in $ENVS; do [[ "$v" == machine || "$v" == unset ]] || die "unknown environment '$v' (machine, unset)"; done
[ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null || die "GNU time is needed as /usr/bin/time (apt-get install time)"
command -v "$JAVA" >/dev/null || die "java not found (Java 17 is needed)"
command -v gcc >/dev/null || die "gcc not found (needed for bench/fma-peak.c)"
# Any python3 writes the table; PyTorch runs need the one with torch.
if [ -x "$PYTHON" ]; then REPORT_PY="$PYTHON"; else REPORT_PY="$(command -v python3)" || die "python3 not found"; fi
if [ "$SKIP_TORCH" != 1 ]; then
  "$PYTHON" -c 'import torch, numpy' 2>/dev/null ||
    die "$PYTHON cannot import torch and numpy (apt-get install python3-torch python3-numpy libopenblas0-pthread; or PYTHON=…; or SKIP_TORCH=1)"
fi
REPORT=("$REPORT_PY" "$ROOT/bench/whole_run_report.py")

# Which overrides this machine sets; without any, "unset" would repeat "machine" run for run.
SET_OVERRIDES=()
for var in $OVERRIDE_VARS; do [ -n "${!var+x}" ] && SET_OVERRIDES+=("$var=${!var}"); done
ENV_NOTE=""
if [ ${#SET_OVERRIDES[@]} -eq 0 ] && [[ " $ENVS " == *" unset "* ]]; then
  ENV_NOTE="this machine sets none of $OVERRIDE_VARS, so \"unset\" would repeat \"machine\": one environment only"
  say "$ENV_NOTE"
  ENVS="machine"
fi
UNSET_ARGS=()
for var in $OVERRIDE_VARS; do UNSET_ARGS+=(-u "$var"); done
env_prefix() {  # ENV -> the env(1) words that start a command in that environment
  if [ "$1" = unset ]; then printf '%s\n' env "${UNSET_ARGS[@]}"; else echo env; fi
}

# The nd4j-native build DL4J loads: the best the CPU runs, said out loud.
if [ -z "$ND4J_CLASSIFIER" ]; then
  flags="$(grep -m1 '^flags' /proc/cpuinfo)"
  if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512dq "* && " $flags " == *" avx512vl "* ]]; then
    ND4J_CLASSIFIER=linux-x86_64-avx512
  elif [[ " $flags " == *" avx2 "* ]]; then
    ND4J_CLASSIFIER=linux-x86_64-avx2
  else
    ND4J_CLASSIFIER=linux-x86_64
  fi
fi

# 1. The jars, built if missing.
if [ -n "$BUILD_DIR" ]; then
  RUNNER_JAR="$BUILD_DIR/toylora-runner/runner.jar"
  ENGINE_JARS="$BUILD_DIR"   # + /toylora-engine-NAME/engine-NAME.jar
  ENGINE_JAR_DIR=""
  PEERS_BUILD="$BUILD_DIR"
  BUILD_PROPS=("-Dtoylora.build.dir=$BUILD_DIR/\${project.artifactId}")
else
  RUNNER_JAR="$ROOT/toylora-runner/target/runner.jar"
  ENGINE_JARS="$ROOT"         # + /toylora-engine-NAME/target/engine-NAME.jar
  ENGINE_JAR_DIR="target/"
  PEERS_BUILD=""
  BUILD_PROPS=()
fi
need_build=0
[ -f "$RUNNER_JAR" ] || need_build=1
engine_jar() {  # NAME: the drop-in jar of a native engine (openblas, onednn)
  echo "$ENGINE_JARS/toylora-engine-$1/${ENGINE_JAR_DIR}engine-$1.jar"
}
for e in $ENGINES; do [ "$e" = ojalgo ] || [ -f "$(engine_jar "$e")" ] || need_build=1; done
if [ "$need_build" = 1 ]; then
  command -v mvn >/dev/null || die "$RUNNER_JAR or an engine jar is missing and mvn is not installed to build them"
  say "building the runner and the native engines (mvn -q -DskipTests package)"
  mvn -q -DskipTests "${BUILD_PROPS[@]}" "${MVN_EXTRA[@]}" package >&2
fi
[ -f "$RUNNER_JAR" ] || die "the build did not produce $RUNNER_JAR"

if [ -n "$BASELINE_DIR" ]; then
  [ -f "$BASELINE_DIR/runner.jar" ] || die "BASELINE_DIR=$BASELINE_DIR holds no runner.jar"
  for e in $ENGINES; do
    [ "$e" = ojalgo ] || [ -f "$BASELINE_DIR/engine-$e.jar" ] || die "BASELINE_DIR=$BASELINE_DIR holds no engine-$e.jar (leave $e out of ENGINES)"
  done
  BASELINE_DIR="$(cd "$BASELINE_DIR" && pwd)"
fi

# bench/peers (outside the product's build): the peers and the OpenBLAS probe, each a thin jar plus the class path
# Maven resolved (classpath.txt). Built when missing, or when its jars left ~/.m2, or for another nd4j classifier.
peer_dir() { if [ -n "$PEERS_BUILD" ]; then echo "$PEERS_BUILD/toylora-bench-peers-$1"; else echo "$ROOT/bench/peers/$1/target"; fi; }
peer_cp() { local d; d="$(peer_dir "$1")"; echo "$d/toylora-bench-peers-$1.jar:$(cat "$d/classpath.txt")"; }
peer_ok() {
  local d; d="$(peer_dir "$1")"
  [ -f "$d/toylora-bench-peers-$1.jar" ] && [ -f "$d/classpath.txt" ] || return 1
  local IFS=:; for j in $(cat "$d/classpath.txt"); do [ -e "$j" ] || return 1; done
  if [ "$1" = dl4j ]; then   # nd4j-native's native jars on the class path: the generic one, plus the chosen build
    local found expected=linux-x86_64
    found="$(grep -o 'nd4j-native-[^:/]*-linux-x86_64[-a-z0-9]*\.jar' "$d/classpath.txt" | sed 's/.*-\(linux-x86_64[-a-z0-9]*\)\.jar/\1/' | sort -u | tr '\n' ' ')"
    [ "$ND4J_CLASSIFIER" != linux-x86_64 ] && expected="$(printf '%s\n' linux-x86_64 "$ND4J_CLASSIFIER" | sort | tr '\n' ' ')"
    [ "${found% }" = "${expected% }" ] || return 1
  fi
}
PEER_MODULES=""
if [[ " $ENGINES " == *" openblas "* ]]; then PEER_MODULES="openblas-probe"; fi
for p in $PEERS; do PEER_MODULES="$PEER_MODULES $p"; done
PEER_MODULES="${PEER_MODULES# }"
if [ -n "$PEER_MODULES" ]; then
  build_peers=0
  for m in $PEER_MODULES; do peer_ok "$m" || build_peers=1; done
  if [ "$build_peers" = 1 ]; then
    command -v mvn >/dev/null || die "bench/peers is not built and mvn is not installed to build it"
    say "building bench/peers ($PEER_MODULES; nd4j-native $ND4J_CLASSIFIER; the first build fetches DJL's libtorch and nd4j, ~600 MB)"
    mvn -q -B -DskipTests -f bench/peers/pom.xml -pl "${PEER_MODULES// /,}" -am "-Dnd4j.classifier=$ND4J_CLASSIFIER" \
      "${BUILD_PROPS[@]}" "${MVN_EXTRA[@]}" package >&2
    for m in $PEER_MODULES; do peer_ok "$m" || die "the bench/peers build did not produce $(peer_dir "$m")/toylora-bench-peers-$m.jar and its class path"; done
  fi
fi

# 2. MNIST, fetched if missing (raw or .gz, as the runner reads them).
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "data/mnist/$f" ] && [ ! -f "data/mnist/$f.gz" ]; then
    say "fetching MNIST (scripts/fetch-mnist.sh)"; scripts/fetch-mnist.sh; break
  fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/toylora-whole-run.XXXXXX")"
# Stopped before the end (Ctrl-C, kill), the runs finished so far are kept: runs.partial.csv in OUT, ready for
# bench/whole_run_report.py; the work folder goes either way.
FINISHED=0
trap 'if [ "$FINISHED" = 0 ] && [ -s "$WORK/runs.csv" ]; then mkdir -p "$OUT" && cp "$WORK/runs.csv" "$OUT/runs.partial.csv" && cp "$WORK/machine.txt" "$OUT/machine.partial.txt" 2>/dev/null; fi; rm -rf "$WORK"' EXIT
mkdir -p "$OUT/logs"
rm -f "$OUT"/logs/run-*.log "$OUT"/logs/probe-*.log
DJL_CACHE="$WORK/djl-cache"   # libtorch extracted from the jar once per benchmark, not once per run
FAILURES="$WORK/failures.txt"
: > "$FAILURES"

# 3. The machine: description and measured FMA peak.
cpu_flags="$(grep -m1 '^flags' /proc/cpuinfo)"
isa_level() {
  local f=" $cpu_flags " need
  for need in avx512f avx512bw avx512cd avx512dq avx512vl; do [[ "$f" == *" $need "* ]] || break; done
  if [[ "$f" == *" avx512vl "* && "$f" == *" avx512bw "* && "$f" == *" avx512dq "* && "$f" == *" avx512cd "* ]]; then echo x86-64-v4
  elif [[ "$f" == *" avx2 "* && "$f" == *" fma "* && "$f" == *" bmi2 "* && "$f" == *" movbe "* ]]; then echo x86-64-v3
  elif [[ "$f" == *" sse4_2 "* && "$f" == *" popcnt "* ]]; then echo x86-64-v2
  else echo x86-64; fi
}
USE_AVX="$("$JAVA" "${JAVA_ARGS[@]}" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "UseAVX" {print $4}')"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p'), stepping $(lscpu | sed -n 's/^Stepping: *//p'))"
  echo "cpus: $(nproc) online ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core, $(lscpu | sed -n 's/^Core(s) per socket: *//p') core(s) per socket, $(lscpu | sed -n 's/^Socket(s): *//p') socket(s))$(lscpu | sed -n 's/^Hypervisor vendor: */, virtualised: /p')"
  echo "isa: $(isa_level); vector flags: $(tr ' ' '\n' <<< "$cpu_flags" | grep -x -E 'avx|avx2|fma|f16c|avx_vnni|avx512[a-z0-9_]*|amx[a-z0-9_]*' | sort | tr '\n' ' ')"
  echo "caches: L1d $(lscpu | sed -n 's/^L1d cache: *//p'), L2 $(lscpu | sed -n 's/^L2 cache: *//p'), L3 $(lscpu | sed -n 's/^L3 cache: *//p')"
  echo "memory: $(free -m | awk '/^Mem:/ {printf "%.1f GiB", $2/1024}')"
  echo "os: $(uname -sr)$( [ -r /etc/os-release ] && . /etc/os-release && echo ", $PRETTY_NAME")"
  echo "java: $("$JAVA" -version 2>&1 | sed -n 2p); HotSpot UseAVX=${USE_AVX:-?}"
  echo "java options: ${JAVA_OPTS:-(none)}"
  echo "gcc: $(gcc -dumpfullversion)"
  echo "OpenBLAS overrides this machine sets: ${SET_OVERRIDES[*]:-(none)}; environments run: $ENVS${ENV_NOTE:+ ($ENV_NOTE)}"
  if [ "$SKIP_TORCH" != 1 ]; then
    echo "torch: $("$PYTHON" -c 'import torch, numpy; print(torch.__version__, "(numpy", numpy.__version__ + ")")' 2>/dev/null) $(dpkg-query -W -f '[${Package} ${Version}]' python3-torch 2>/dev/null || true); set-ups (threads x OpenBLAS threads): $TORCH_CONFIGS"
    echo "torch's BLAS: libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo '?') $(dpkg-query -W -f '[${Package} ${Version}] ' libopenblas0-pthread libblas3 2>/dev/null || true)"
  fi
  [ -n "$PEERS" ] && echo "peers (bench/peers): $PEERS; threads: DJL $DJL_THREADS, DL4J $DL4J_THREADS; DL4J's nd4j-native build: $ND4J_CLASSIFIER"
  [ -n "$BASELINE_DIR" ] && echo "baseline: $BASELINE_DIR (runner.jar $(sha256sum "$BASELINE_DIR/runner.jar" | cut -c1-12)$(for e in $ENGINES; do
    [ "$e" = ojalgo ] || echo -n ", engine-$e.jar $(sha256sum "$BASELINE_DIR/engine-$e.jar" | cut -c1-12)"; done))"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$WORK/machine.txt"

say "measuring the FMA peak (bench/fma-peak.c, ${FMA_SECONDS} s × ${FMA_REPS} per figure)"
gcc -O2 -march=native -pthread -o "$WORK/fma-peak" bench/fma-peak.c
"$WORK/fma-peak" "$FMA_SECONDS" "$FMA_REPS" | tee "$OUT/fma-peak.txt" >&2

# 4. The kernels each BLAS chooses, in each environment (probes: a few seconds each).
KERNELS="$WORK/kernels.txt"
: > "$KERNELS"
probe() {  # ENV NAME command… : the probe's key=value lines into kernels.txt, prefixed with ENV; failure said, not hidden
  local v="$1" name="$2" log="$OUT/logs/probe-$2-$1.log"; shift 2
  if "$@" > "$WORK/probe.out" 2> "$log"; then
    if [ "$name" = djl-mkl ]; then   # MKL's banner: its version and the code path it names; the rest is said again below
      grep -m1 '^MKL_VERBOSE .*MKL' "$WORK/probe.out" | sed "s|^|$v mkl |" >> "$KERNELS" ||
        echo "$v mkl (MKL printed no banner with MKL_VERBOSE=1)" >> "$KERNELS"
    else
      grep -E '^(openblas|torchblas|peer|djl-probe|dl4j-probe) ' "$WORK/probe.out" | sed "s|^|$v |" >> "$KERNELS" || true
    fi
    sed -i "s|$WORK/|<temporary folder>/|g" "$log"
  else
    cat "$WORK/probe.out" >> "$log"
    say "the $name probe failed ($v): $(tail -1 "$log")"
    echo "$v failed $name probe: $(tail -1 "$log" | tr '|' '/')" >> "$KERNELS"
    return 1
  fi
}
torch_reference=""
for v in $ENVS; do
  read -r -a E <<< "$(env_prefix "$v" | tr '\n' ' ')"
  say "probing the BLAS kernels ($v)"
  echo "$v jvm use_avx=$("${E[@]}" "$JAVA" "${JAVA_ARGS[@]}" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "UseAVX" {print $4}')" >> "$KERNELS"
  if [[ " $ENGINES " == *" openblas "* ]]; then
    probe "$v" openblas "${E[@]}" "$JAVA" "${JAVA_ARGS[@]}" "-XX:ErrorFile=$WORK/hs_err_probe_%p.log" -cp "$(peer_cp openblas-probe)" dev.toylora.bench.peers.OpenBlasProbe || true
  fi
  if [ "$SKIP_TORCH" != 1 ]; then
    probe "$v" torch "${E[@]}" "$PYTHON" bench/torch_blas_probe.py || die "the torch BLAS probe failed ($v): see $OUT/logs/probe-torch-$v.log"
    line="$(grep "^$v torchblas " "$KERNELS" | tail -1)"
    if [[ "$line" == *" reference=true "* ]]; then
      torch_reference="$torch_reference $v"
      say "!!! PyTorch runs on the REFERENCE BLAS ($v): $line"
      say "!!! its products run at a few GFLOP/s: that measures an install mistake, not PyTorch (apt-get install libopenblas0-pthread)"
      [ "$ALLOW_REFERENCE_BLAS" = 1 ] || die "refusing to benchmark PyTorch on the reference BLAS (ALLOW_REFERENCE_BLAS=1 to run it anyway, flagged)"
    elif [[ "$line" == *" slow=true "* ]]; then
      say "!!! PyTorch's BLAS multiplies slowly ($v): $line"
    fi
  fi
  for p in $PEERS; do
    case "$p" in
      djl)
        probe "$v" djl-mkl "${E[@]}" MKL_VERBOSE=1 ENGINE_CACHE_DIR="$DJL_CACHE" DJL_CACHE_DIR="$DJL_CACHE" OMP_NUM_THREADS=1 \
          "$JAVA" "${JAVA_ARGS[@]}" "-XX:ErrorFile=$WORK/hs_err_probe_%p.log" -cp "$(peer_cp djl)" dev.toylora.bench.peers.DjlMnistMlp --probe --threads 1 || true
        probe "$v" djl "${E[@]}" ENGINE_CACHE_DIR="$DJL_CACHE" DJL_CACHE_DIR="$DJL_CACHE" OMP_NUM_THREADS=1 \
          "$JAVA" "${JAVA_ARGS[@]}" "-XX:ErrorFile=$WORK/hs_err_probe_%p.log" -cp "$(peer_cp djl)" dev.toylora.bench.peers.DjlMnistMlp --probe --threads 1 || true ;;
      dl4j)
        probe "$v" dl4j "${E[@]}" OPENBLAS_VERBOSE=2 OMP_NUM_THREADS=1 \
          "$JAVA" "${JAVA_ARGS[@]}" "-XX:ErrorFile=$WORK/hs_err_probe_%p.log" -cp "$(peer_cp dl4j)" dev.toylora.bench.peers.Dl4jMnistMlp --probe --threads 1 || true ;;
    esac
  done
done
sed -i "s|$WORK/|<temporary folder>/|g" "$KERNELS"
cp "$KERNELS" "$OUT/kernels.txt"

# 5. The runs, alternating.
OVERRIDES=()
[ -n "$EPOCHS" ] && OVERRIDES=("pretrain.epochs=$EPOCHS" "finetune.epochs=$EPOCHS")
TORCH_EPOCHS=()
[ -n "$EPOCHS" ] && TORCH_EPOCHS=(--epochs "$EPOCHS")
CSV="$WORK/runs.csv"
"${REPORT[@]}" header > "$CSV"

LINEUP=""
for e in $ENGINES; do
  LINEUP="$LINEUP $e"
  if [ -n "$BASELINE_DIR" ]; then LINEUP="$LINEUP $e@baseline"; fi
done
if [ "$SKIP_TORCH" != 1 ]; then for c in $TORCH_CONFIGS; do LINEUP="$LINEUP pytorch-${c%x*}t"; done; fi
for p in $PEERS; do
  if [ "$p" = djl ]; then threads="$DJL_THREADS"; else threads="$DL4J_THREADS"; fi
  for t in $threads; do LINEUP="$LINEUP $p-${t}t"; done
done
LINEUP="${LINEUP# }"

failed() {  # ROUND LABEL ENV LOG [DIR]: the set-up is named, with the end of its log, in the table; the rounds go on
  if [ -n "${5:-}" ] && [ -f "$5/hs_err.log" ]; then   # a JVM crash: its summary into the log, the dump stays out of the tree
    { echo "--- the JVM crashed: the head of its hs_err file ---"; grep -E '^#' "$5/hs_err.log" | head -20; } >> "$4"
  fi
  sed -i "s|$WORK/|<temporary folder>/|g" "$4"
  say "round $1/$RUNS: $2 ($3) FAILED (log: $4)"; tail -15 "$4" >&2
  echo "$1|$2|$3|$(grep -v '^\s*$' "$4" | tail -3 | tr '\n|' ' /' | cut -c1-400)" >> "$FAILURES"
}

run_java() {   # round label env
  local round="$1" label="$2" v="$3" engine="${2%@*}" dir="$WORK/run-$1-$2-$3" log="$OUT/logs/run-$1-$2-$3.log" cp load
  if [[ "$label" == *@baseline ]]; then
    cp="$BASELINE_DIR/runner.jar"; [ "$engine" = ojalgo ] || cp="$cp:$BASELINE_DIR/engine-$engine.jar"
  else
    cp="$RUNNER_JAR"; [ "$engine" = ojalgo ] || cp="$RUNNER_JAR:$(engine_jar "$engine")"
  fi
  mkdir -p "$dir"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  say "round $round/$RUNS: $label, $v (load average $load)"
  if ! "${E[@]}" OPENBLAS_VERBOSE=2 /usr/bin/time -f '%M %e' -o "$dir/time.txt" "$JAVA" "${JAVA_ARGS[@]}" \
      "-XX:ErrorFile=$dir/hs_err.log" -cp "$cp" \
      dev.toylora.runner.cli.Main --no-progress --results "$dir/results" "$EXPERIMENT" "backend=$engine" "name=bench" \
      "${OVERRIDES[@]}" > "$log" 2>&1; then
    failed "$round" "$label" "$v" "$log" "$dir"; rm -rf "$dir"; return
  fi
  sed -i "s|$WORK/|<temporary folder>/|g" "$log"   # the committed logs name no folder of this machine
  "${REPORT[@]}" java-row "$round" "$label" "$v" "$dir/results/bench/metrics.json" "$dir/time.txt" "$load" "$log" >> "$CSV"
  rm -rf "$dir"
}

run_torch() {  # round label env  (label pytorch-Nt, from THREADSxBLAS_THREADS in TORCH_CONFIGS)
  local round="$1" label="$2" v="$3" config threads blas load
  for config in $TORCH_CONFIGS; do [ "pytorch-${config%x*}t" = "$label" ] && break; done
  threads="${config%x*}"; blas="${config#*x}"
  local dir="$WORK/run-$1-$2-$3" log="$OUT/logs/run-$1-$2-$3.log"
  mkdir -p "$dir"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  say "round $round/$RUNS: $label, $v (OpenBLAS threads $blas; load average $load)"
  if ! "${E[@]}" OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS="$blas" /usr/bin/time -f '%M %e' -o "$dir/time.txt" "$PYTHON" \
      bench/pytorch_lora.py --data data/mnist --threads "$threads" --blas-threads "$blas" "${TORCH_EPOCHS[@]}" \
      > "$dir/stdout.txt" 2> "$log"; then
    cat "$dir/stdout.txt" >> "$log"; failed "$round" "$label" "$v" "$log"; rm -rf "$dir"; return
  fi
  cat "$dir/stdout.txt" >> "$log"
  "${REPORT[@]}" torch-row "$round" "$label" "$v" "$dir/stdout.txt" "$dir/time.txt" "$load" "$log" >> "$CSV"
  rm -rf "$dir"
}

run_peer() {   # round label env  (label djl-Nt or dl4j-Nt)
  local round="$1" label="$2" v="$3" peer="${2%-*}" threads="${2##*-}" load main
  threads="${threads%t}"
  local dir="$WORK/run-$1-$2-$3" log="$OUT/logs/run-$1-$2-$3.log"
  case "$peer" in djl) main=dev.toylora.bench.peers.DjlMnistMlp ;; dl4j) main=dev.toylora.bench.peers.Dl4jMnistMlp ;; esac
  mkdir -p "$dir"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  say "round $round/$RUNS: $label, $v (load average $load)"
  if ! "${E[@]}" OPENBLAS_VERBOSE=2 OMP_NUM_THREADS="$threads" ENGINE_CACHE_DIR="$DJL_CACHE" DJL_CACHE_DIR="$DJL_CACHE" \
      /usr/bin/time -f '%M %e' -o "$dir/time.txt" "$JAVA" "${JAVA_ARGS[@]}" "-XX:ErrorFile=$dir/hs_err.log" \
      -cp "$(peer_cp "$peer")" "$main" --data data/mnist --threads "$threads" "${TORCH_EPOCHS[@]}" \
      > "$dir/stdout.txt" 2> "$log"; then
    cat "$dir/stdout.txt" >> "$log"; failed "$round" "$label" "$v" "$log" "$dir"; rm -rf "$dir"; return
  fi
  cat "$dir/stdout.txt" >> "$log"
  sed -i "s|$WORK/|<temporary folder>/|g" "$log"
  "${REPORT[@]}" peer-row "$round" "$label" "$v" "$dir/stdout.txt" "$dir/time.txt" "$load" "$log" >> "$CSV"
  rm -rf "$dir"
}

read -r -a ENV_LIST <<< "$ENVS"
for round in $(seq 1 "$RUNS"); do
  # the two environments of a set-up run back to back, their order swapped every round
  order=("${ENV_LIST[@]}")
  if [ $((round % 2)) = 0 ] && [ ${#ENV_LIST[@]} = 2 ]; then order=("${ENV_LIST[1]}" "${ENV_LIST[0]}"); fi
  for label in $LINEUP; do
    for v in "${order[@]}"; do
      read -r -a E <<< "$(env_prefix "$v" | tr '\n' ' ')"
      case "$label" in
        pytorch-*) run_torch "$round" "$label" "$v" ;;
        djl-*|dl4j-*) run_peer "$round" "$label" "$v" ;;
        *) run_java "$round" "$label" "$v" ;;
      esac
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/machine.txt"

# 6. The tables.
cp "$CSV" "$OUT/runs.csv"
FINISHED=1; rm -f "$OUT/runs.partial.csv" "$OUT/machine.partial.txt"
cp "$WORK/machine.txt" "$OUT/machine.txt"
{
  echo "## Whole-run benchmark: $EXPERIMENT"
  echo
  echo "$RUNS run(s) per set-up and environment, alternating ($LINEUP; environments: $ENVS), each in a fresh results folder (no cached base)$( [ -n "$EPOCHS" ] && echo "; EPOCHS=$EPOCHS: a short test, not comparable with full runs")."
  echo
  sed 's/^/    /' "$OUT/machine.txt"
  echo
  if [ -n "$torch_reference" ]; then
    echo "**⚠ PyTorch ran on the REFERENCE BLAS ($torch_reference), allowed by ALLOW_REFERENCE_BLAS=1: its figures measure a missing libopenblas0-pthread, not PyTorch.**"
    echo
  fi
  if [ -s "$FAILURES" ]; then
    echo "**Failed set-ups** (not in the tables below):"
    echo
    echo "| round | set-up | environment | end of its log |"
    echo "|---:|---|---|---|"
    sed 's/^/| /; s/$/ |/' "$FAILURES"
    echo
  fi
  if [ "$(wc -l < "$OUT/runs.csv")" -gt 1 ]; then
    "${REPORT[@]}" table "$OUT/runs.csv" "$OUT/fma-peak.txt" "$OUT/kernels.txt"
  else
    echo "No run finished."
  fi
} > "$OUT/whole-run.md"
cat "$OUT/whole-run.md"
say "written: $OUT/whole-run.md, runs.csv, kernels.txt, fma-peak.txt, machine.txt, logs/"
[ -s "$FAILURES" ] && die "$(wc -l < "$FAILURES") run(s) failed: see the table's \"Failed set-ups\""
exit 0
