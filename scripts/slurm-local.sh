#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for trying the job array of docs/sweeps.md ("Across machines: shards
# and merge") for real: installs Debian's slurm-wlm and munge if they are missing, starts munged, slurmctld and slurmd with
# a private configuration under a temporary folder, submits
#
#   1. one job that pretrains the sweep's base once (sweep=null finetune.method=none),
#   2. the rank sweep as a job array, one task per trial (--shard $SLURM_ARRAY_TASK_ID/N), after the base,
#   3. `runner merge` after the array (afterany: it says which trials are missing, if any),
#
# waits for them, prints every job's state and the merged table, then stops the daemons and deletes the temporary
# folder. Opt-in (nothing else runs it); needs root (apt-get, and slurmd runs jobs as their user). Safe to run again:
# each run starts afresh, and a run that was killed leaves nothing running (the next run refuses to start while a
# Slurm daemon is already up, rather than touch one it did not start).
#
#   scripts/slurm-local.sh                 # the test drive: ranks 1,4,16, one epoch each stage: a few minutes
#   FULL=1 scripts/slurm-local.sh          # the sweep as committed (7 ranks, 10 epochs): tens of minutes
#
# Environment: RANKS ("[1,4,16]"), EPOCHS (1), RESULTS (runs: the sweep goes to $RESULTS/rank-sweep-slurm), PORT
# (6817; slurmd uses PORT+1), TIMEOUT (seconds to wait for the jobs, 3600), TOYLORA_BUILD_DIR (as for ./toylora).
# Job logs are kept in $RESULTS/rank-sweep-slurm-logs/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

RESULTS="${RESULTS:-runs}"
NAME=rank-sweep-slurm
PORT="${PORT:-6817}"
TIMEOUT="${TIMEOUT:-3600}"
if [ "${FULL:-0}" = 1 ]; then
  OVERRIDES=()
  RANKS="$(sed -n 's/^ *finetune.lora.rank: *\(\[.*\]\).*/\1/p' experiments/rank-sweep.yaml)"
else
  RANKS="${RANKS:-[1,4,16]}"
  EPOCHS="${EPOCHS:-1}"
  OVERRIDES=("sweep.finetune.lora.rank=$RANKS" "pretrain.epochs=$EPOCHS" "finetune.epochs=$EPOCHS")
fi
TRIALS="$(echo "$RANKS" | tr -cd ',' | wc -c)"; TRIALS=$((TRIALS + 1))
if [ -n "${TOYLORA_BUILD_DIR:-}" ]; then JAR="$TOYLORA_BUILD_DIR/toylora-runner/runner.jar"; else JAR="$ROOT/toylora-runner/target/runner.jar"; fi

[ "$(id -u)" = 0 ] || die "run it as root (sudo $0): it installs packages and starts slurmd, which runs jobs as their user"

# --- 1. packages
t0=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi
say "$(slurmctld -V), $(munged -V 2>&1 | head -n 1)"

# --- 2. the runner and MNIST, before any job needs them
"$ROOT/toylora" build
[ -f "$JAR" ] || die "no $JAR after the build"
"$ROOT/scripts/fetch-mnist.sh" >&2

# --- 3. a private cluster: config, keys, sockets, spool and logs all under one temporary folder
# Stops the cluster whose files are under DIR: cancels its jobs (their processes are slurmstepd's, which outlive
# slurmd), then stops its daemons by their pid files, then deletes DIR.
stop_cluster() {
  local dir="$1" pidfile pid
  if [ -f "$dir/slurm.conf" ] && [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    SLURM_CONF="$dir/slurm.conf" scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 30); do
      [ -z "$(SLURM_CONF="$dir/slurm.conf" squeue -h 2>/dev/null)" ] && break
      sleep 0.5
    done
  fi
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
}

# What an earlier run of this script left when it was killed is stopped the same way; a Slurm daemon this script did
# not start (its command line names no /tmp/toylora-slurm.* file) is not touched, and then this script does not start.
for dir in /tmp/toylora-slurm.*; do
  [ -d "$dir" ] || continue
  say "stopping what an earlier run left in $dir"
  stop_cluster "$dir"
done
for daemon in slurmctld slurmd; do
  for pid in $(pgrep -x "$daemon" || true); do
    die "a $daemon is running already (pid $pid) that this script did not start; stop it first"
  done
done
STATE="$(mktemp -d /tmp/toylora-slurm.XXXXXX)"
chmod 755 "$STATE"
trap 'stop_cluster "$STATE"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$STATE/munge" "$STATE/ctld" "$STATE/spool"

# munged: its own key and socket, so a machine's own munge (if any) is left alone. It refuses a socket folder that
# not everyone may enter (jobs of every user reach it); the key itself is 0400.
dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$STATE/munge/munge.key"
chmod 755 "$STATE/munge"
SOCKET="$STATE/munge/munge.socket"
munged --key-file="$STATE/munge/munge.key" --socket="$SOCKET" --pid-file="$STATE/munged.pid" \
       --log-file="$STATE/munged.log" --seed-file="$STATE/munge/munged.seed" \
  || die "munged did not start: $(tail -n 3 "$STATE/munged.log" 2>/dev/null)"
for _ in $(seq 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || die "munged did not start: $(tail -n 3 "$STATE/munged.log" 2>/dev/null)"

HOST="$(hostname -s)"
# the node as slurmd sees it (CPUs, sockets, cores, threads, memory), less 512 MB for the system
NODE="$(slurmd -C | head -n 1 | sed -E 's/ UpTime=.*//')"
MEMORY="$(echo "$NODE" | sed -nE 's/.*RealMemory=([0-9]+).*/\1/p')"
NODE="$(echo "$NODE" | sed -E "s/NodeName=[^ ]+/NodeName=$HOST NodeAddr=127.0.0.1/; s/RealMemory=[0-9]+/RealMemory=$((MEMORY - 512))/")"
CPUS="$(echo "$NODE" | sed -nE 's/.*CPUs=([0-9]+).*/\1/p')"
export SLURM_CONF="$STATE/slurm.conf"
cat > "$SLURM_CONF" <<EOF
# one node, written by scripts/slurm-local.sh; everything it keeps is under $STATE
ClusterName=toylora
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
# no cgroups in a container: processes tracked through /proc, tasks not bound to cores
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
# a job whose dependency failed is cancelled rather than left pending forever; the merge (afterany) then runs
DependencyParameters=kill_invalid_depend
MinJobAge=3600
$NODE State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  state="$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)"
  [ "$state" = idle ] && break
  sleep 0.3
done
[ "${state:-}" = idle ] || die "the node did not come up (state '${state:-none}'): $(tail -n 5 "$STATE/slurmctld.log" "$STATE/slurmd.log" 2>/dev/null)"
t1=$(date +%s)
say "cluster up in $((t1 - t0)) s: $(sinfo -h -N -o '%N %T, %c CPUs, %m MB')"

# --- 4. the jobs: base, then the array (one task per trial), then the merge
LOGS="$RESULTS/$NAME-logs"
rm -rf "${RESULTS:?}/$NAME" "$LOGS"
mkdir -p "$LOGS"
TASK_CPUS=$(( CPUS < 4 ? 1 : 4 ))    # 4 per task on a node of 4 CPUs or more; a smaller node gets one each, so they run side by side
JAVA=(java -Xmx1g -jar "$JAR" --no-progress --results "$RESULTS")
q() { printf '%q ' "$@"; }
base=$(sbatch --parsable --job-name=$NAME-base --chdir="$ROOT" --output="$LOGS/%x-%j.out" --cpus-per-task="$TASK_CPUS" --mem=2G \
       --wrap "$(q "${JAVA[@]}" experiments/rank-sweep.yaml "${OVERRIDES[@]}" sweep=null finetune.method=none name=$NAME-base)")
cat > "$STATE/$NAME.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=$NAME
#SBATCH --array=0-$((TRIALS - 1))
#SBATCH --cpus-per-task=$TASK_CPUS
#SBATCH --mem=2G
#SBATCH --output=$LOGS/%x-%A_%a.out
$(q "${JAVA[@]}" experiments/rank-sweep.yaml "${OVERRIDES[@]}" name=$NAME) --shard \$SLURM_ARRAY_TASK_ID/$TRIALS
EOF
array=$(sbatch --parsable --chdir="$ROOT" --dependency=afterok:"$base" "$STATE/$NAME.sbatch")
merge=$(sbatch --parsable --job-name=$NAME-merge --chdir="$ROOT" --output="$LOGS/%x-%j.out" --dependency=afterany:"$array" \
        --mem=1G --wrap "$(q "${JAVA[@]}" merge "$RESULTS/$NAME")")
say "submitted: base $base, array $array (tasks 0-$((TRIALS - 1)), ranks $RANKS), merge $merge"

# --- 5. wait: a job is done when scontrol no longer lists it as pending, configuring or running
job_states() { scontrol show job "$1" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+).*/\1/p'; }
deadline=$(( $(date +%s) + TIMEOUT ))
while :; do
  states="$(job_states "$merge")"
  case "$states" in COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL) break ;; esac
  [ "$(date +%s)" -lt "$deadline" ] || { scancel "$base" "$array" "$merge" 2>/dev/null || true; die "jobs not done after $TIMEOUT s; cancelled"; }
  sleep 2
done
t2=$(date +%s)
say "jobs done in $((t2 - t1)) s:"
field() { { echo " $1" | grep -o " $2=[^ ]*" || true; } | head -n 1 | cut -d= -f2-; }
for job in "$base" "$array" "$merge"; do
  scontrol -o show job "$job" 2>/dev/null | sort | while read -r line; do
    task="$(field "$line" ArrayTaskId)"
    id="$(field "$line" JobId)"; [ -z "$task" ] || id="$(field "$line" ArrayJobId)_$task"
    printf '  job %-6s %-24s %-10s ran %s\n' "$id" "$(field "$line" JobName)" "$(field "$line" JobState)" "$(field "$line" RunTime)"
  done
done | sort -k2,2V >&2
echo
cat "$LOGS"/$NAME-merge-"$merge".out
[ "$(job_states "$merge")" = COMPLETED ] || die "merge did not complete (see $LOGS)"
say "total $(( $(date +%s) - t0 )) s; results in $RESULTS/$NAME, job logs in $LOGS"
