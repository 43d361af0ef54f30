#!/usr/bin/env bash
# Runs a tiny experiment plan on a real single-node Slurm and checks that its table equals a local run's.
#
#   Scripts/check-slurm.sh            (as root; data: $PRUNEKIT_DATA, else <repo>/data; prune-cli: $PRUNE_CLI,
#                                      else <repo>/.build/release/prune-cli, built if missing)
#
# Steps (after /work/shared/scale-out/README.md): start munged, slurmctld and slurmd with a configuration,
# spool, logs and pid files in a temporary folder (/etc/slurm is not touched; a Slurm already running is used
# as it is and left alone), wait for the node to be idle, `prune-cli experiment slurm PLAN --out DIR --submit`
# (dense array, cells array afterok on it, report afterok on the cells), wait for the queue to drain, then
# run the same plan locally and compare results.csv byte for byte. The daemons this script started are
# stopped by their process ids on exit. Skips (exit 0, with a message) when not root or when the Slurm or
# munge packages are missing (apt-get install -y slurm-wlm munge). KEEP_TMP=1 keeps the temporary folder.
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }
# With REQUIRE_SLURM=1 (.ci/run sets it after installing the packages) a reason to skip is a failure instead.
skip() {
    if [[ "${REQUIRE_SLURM:-0}" == 1 ]]; then printf '\nFAILED (REQUIRE_SLURM=1): %s\n' "$*" >&2; exit 1; fi
    printf 'SKIPPED: %s\n' "$*"; exit 0
}
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || skip "needs root to start slurmctld, slurmd and munged"
for tool in munged slurmctld slurmd sbatch squeue sinfo; do
    command -v "$tool" > /dev/null || skip "'$tool' not found (apt-get install -y slurm-wlm munge)"
done

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
data=${PRUNEKIT_DATA:-$repo/data}
[[ -d $data/mnist ]] || skip "no MNIST under $data (set PRUNEKIT_DATA)"
cli=${PRUNE_CLI:-$repo/.build/release/prune-cli}
if [[ ! -x $cli ]]; then step "Build prune-cli"; (cd "$repo" && swift build -c release --product prune-cli); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prunekit-slurm.XXXXXX")
chmod 755 "$tmp"
started_pids=()
# Stops the daemons this script started and waits until they have exited (slurmctld writes its state files as
# it shuts down, so removing the folder before then races with it), then removes the folder. Keeps the
# script's own exit status: a cleanup hiccup must not turn a passed check into a failure, or the reverse.
cleanup() {
    local status=$?
    for pid in "${started_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${started_pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    done
    if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "kept $tmp"
    else rm -rf "$tmp" 2> /dev/null || { sleep 1; rm -rf "$tmp" || echo "warning: could not remove $tmp"; }; fi
    exit "$status"
}
trap cleanup EXIT

# Reads a daemon's pid file (they fork into the background) and remembers the pid for cleanup.
remember() {
    for _ in $(seq 50); do [[ -s $1 ]] && break; sleep 0.1; done
    [[ -s $1 ]] || die "no pid file $1"
    started_pids+=("$(cat "$1")")
}

if pgrep -x slurmctld > /dev/null; then
    step "A slurmctld is already running: using it as it is"
else
    step "Start munged, slurmctld and slurmd (state in $tmp)"
    mkdir -p /run/munge "$tmp/state" "$tmp/spool" "$tmp/log"
    chown munge:munge /run/munge 2> /dev/null || true
    if ! pgrep -x munged > /dev/null; then
        munged --force --pid-file="$tmp/munged.pid" 2> "$tmp/log/munged.err" || die "munged did not start: $(cat "$tmp/log/munged.err")"
        remember "$tmp/munged.pid"
    fi
    host=$(hostname)
    export SLURM_CONF=$tmp/slurm.conf
    cat > "$SLURM_CONF" <<CONF
ClusterName=prunekit
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    slurmctld -f "$SLURM_CONF" && remember "$tmp/slurmctld.pid"
    slurmd -f "$SLURM_CONF" && remember "$tmp/slurmd.pid"
    for _ in $(seq 60); do sinfo -h -o %t 2> /dev/null | grep -q idle && break; sleep 0.5; done
    sinfo -h -o %t | grep -q idle || die "the node did not become idle: $(sinfo 2>&1; tail -5 "$tmp/log/slurmctld.log")"
fi

step "Write the tiny plan (MLP on 2,000 MNIST images, 2 methods x 2 targets x 2 seeds)"
cat > "$tmp/plan.json" <<'PLAN'
{ "name": "slurm check", "datasets": ["mnist"], "models": [{"name": "mlp", "training": {"epochs": 1, "batchSize": 64}}],
  "methods": [{"name": "l1"}, {"name": "random"}], "targets": {"flops": [0.5, 0.3]}, "seeds": [1, 2],
  "fineTuning": {"epochs": 1, "batchSize": 64}, "evaluation": {"trainLimit": 2000, "testLimit": 500} }
PLAN

step "Submit: prune-cli experiment slurm --submit"
ids=$(PRUNEKIT_DATA=$data "$cli" experiment slurm "$tmp/plan.json" --out "$tmp/slurm-run" --cpus-per-task 1 --tasks 4 --submit)
echo "$ids"
report_id=$(echo "$ids" | awk '{print $NF}')
for _ in $(seq 600); do
    squeue -h -j "$report_id" 2> /dev/null | grep -q . || break
    sleep 1
done
[[ -f $tmp/slurm-run/results.csv ]] || die "no results.csv after the jobs; logs: $(tail -n 20 "$tmp"/slurm-run/slurm/logs/* 2>&1)"

step "Run the same plan locally and compare results.csv"
PRUNEKIT_DATA=$data PRUNEKIT_THREADS=1 "$cli" experiment run "$tmp/plan.json" --out "$tmp/local-run" > /dev/null 2> "$tmp/local.err" \
    || die "local run failed: $(tail -5 "$tmp/local.err")"
diff "$tmp/local-run/results.csv" "$tmp/slurm-run/results.csv" || die "the Slurm table differs from the local one"
cat "$tmp/slurm-run/results.csv"
echo "OK: the Slurm run's results.csv equals the local run's"
