#!/usr/bin/env bash
# GPU check: run on a machine with an NVIDIA GPU (under 8 minutes).
#
# Full check (Python 3.11 and PyPI reachable): installs the project with the `gpu` extra into a fresh
# venv, builds the site strictly from an empty cache, checks that every figure caption names the
# GPU, runs the claim tests there, and prints the cold build time next to the same build forced onto
# the CPU on the same machine.
#
# Offline check (GPU_CHECK_WHEELS=folder): for a GPU machine with no network whose Python already
# has JAX and PyTorch with CUDA but no TensorFlow (this workplace's). Keras and its two missing
# dependencies travel as wheels (benchmarks/gpu_check_wheels.sh fetches them). TensorFlow's CUDA
# wheels are too large to carry, so this checks the JAX and PyTorch snippets: every run on the GPU,
# the claim tests about them (seeds 0, 1, 2) on the GPU, and their cold run time against the CPU.
# GPU_CHECK_SNIPPETS (names) and GPU_CHECK_CLAIMS (test paths) narrow what it runs.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "gpu_check: $1"; exit "${2:-1}"; }
export NO_MKDOCS_2_WARNING=1 PYTHONUNBUFFERED=1

nvidia-smi -L 2>/dev/null | head -4 || fail "no NVIDIA GPU visible (nvidia-smi failed)" 2
echo "GPU nodes the engine counts: /proc: $(ls /proc/driver/nvidia/gpus 2>/dev/null | wc -l), /dev: $(ls /dev/nvidia[0-9]* 2>/dev/null | wc -l)"
work=$(mktemp -d)
elapsed() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
# Cold runs need an empty cache: keep the developer's own cache aside and put it back at the end.
[ -d .cache ] && mv .cache "$work/cache-aside"
# GPU_CHECK_LOGS=folder keeps every log (the builds', the runs', the claim tests') for a later look.
trap 'rm -rf .cache; [ -d "$work/cache-aside" ] && mv "$work/cache-aside" .cache
      [ -n "${GPU_CHECK_LOGS:-}" ] && mkdir -p "$GPU_CHECK_LOGS" && cp "$work"/*.log "$GPU_CHECK_LOGS"/' EXIT

if [ -n "${GPU_CHECK_WHEELS:-}" ]; then
  python=$(command -v python3) || fail "no python3"
  site="$work/site"
  "$python" -m pip install -q --no-index --no-deps --no-compile --target "$site" "$GPU_CHECK_WHEELS"/*.whl \
    || fail "could not install the carried wheels from $GPU_CHECK_WHEELS" 3
  export PYTHONPATH="$site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
else
  python=$(command -v python3.11) || fail "needs Python 3.11 (the project pins >=3.11,<3.12); found: $(python3 --version 2>&1)" 2
  venv=${GPU_CHECK_VENV:-/tmp/gradbook-gpu-venv}
  if [ ! -x "$venv/bin/mkdocs" ]; then
    "$python" -m venv "$venv" && "$venv/bin/pip" install -q -e ".[gpu,test]" \
      || fail "could not install the project with the gpu extra (is PyPI reachable?)" 3
  fi
  python="$venv/bin/python"
fi
echo "python: $("$python" --version 2>&1); $("$python" -c 'import importlib.metadata as m
for p in ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy"):
    try: print(p, m.version(p), end="; ")
    except m.PackageNotFoundError: print(p, "absent", end="; ")')"

if "$python" -c "import tensorflow" 2>/dev/null; then
  cold_build() {  # $1: label, then environment assignments
    local label=$1; shift
    rm -rf .cache
    local started=$(date +%s.%N)
    env "$@" "$python" -m mkdocs build --strict -d "$work/$label" >"$work/$label.log" 2>&1 \
      || { tail -30 "$work/$label.log"; fail "the strict $label build failed"; }
    elapsed "$started"
  }
  gpu_seconds=$(cold_build gpu)
  figures=$(grep -rho 'Ran on [^<]* with [A-Za-z]*' "$work/gpu" --include=index.html | sort | uniq -c)
  echo "captions in the GPU build:"; echo "$figures"
  echo "$figures" | grep -q 'Ran on CPU' && fail "some figures ran on the CPU although a GPU is visible"
  echo "$figures" | grep -q 'Ran on GPU' || fail "no caption names the GPU"
  "$python" -m pytest tests/claims -q -p no:cacheprovider -x | tail -3 || fail "claim tests failed on the GPU"
  cpu_seconds=$(cold_build cpu GRADBOOK_DEVICE=cpu)
  printf 'cold strict build: GPU %.0f s, CPU (same machine, GRADBOOK_DEVICE=cpu) %.0f s\n' "$gpu_seconds" "$cpu_seconds"
  exit 0
fi

echo "TensorFlow is not installed: checking the JAX and PyTorch snippets only"
export KERAS_BACKEND=jax  # claim modules that import keras must not reach for TensorFlow
# Several workers share the one GPU: these snippets are small, and one worker would run them in a row.
export GRADBOOK_WORKERS=${GRADBOOK_WORKERS:-4}
"$python" -c 'from gradbook.engine.device import expected_device_kind, worker_slots
print("engine plan without GRADBOOK_WORKERS:", expected_device_kind(False), worker_slots(False))'
names=${GPU_CHECK_SNIPPETS:-}
[ -n "$names" ] || names=$("$python" -c 'import pathlib
from gradbook.engine import load_snippet
print(" ".join(p.stem for p in sorted(pathlib.Path("snippets").glob("[!_]*.py")) if load_snippet(p).backend != "tensorflow"))') \
  || fail "could not list the JAX and PyTorch snippets"
echo "snippets: $(echo $names | wc -w): $names"
timed_run() {  # $1: label, then gradbook run arguments; log in $work/$label.log, seconds on stdout
  local label=$1; shift
  local started=$(date +%s.%N)
  "$python" -m gradbook.cli run $names "$@" >"$work/$label.json" 2>"$work/$label.log"
  local status=$?
  elapsed "$started"
  return $status
}
summed() { grep -o 'ran in [0-9.]* s' "$1" | awk '{s += $3} END {printf "%.0f", s}'; }

gpu_seconds=$(timed_run gpu) || { tail -30 "$work/gpu.log"; fail "a snippet failed on the GPU"; }
echo "where the seed-0 runs ran:"; grep -o ' on [A-Z]PU.*' "$work/gpu.log" | sort | uniq -c
grep -q 'ran in .* on CPU' "$work/gpu.log" && fail "some snippets ran on the CPU although a GPU is visible"
grep -q 'ran in .* on GPU' "$work/gpu.log" || fail "no run names the GPU"

# The claim tests about these snippets, seeds 0 (cached above), 1 and 2, on the same GPU workers.
# Tests that compare with a TensorFlow tab skip here (TensorFlow is absent); CI runs them all.
"$python" -m pytest ${GPU_CHECK_CLAIMS:-tests/claims} -q -p no:cacheprovider -k "jax or torch" -rfs 2>&1 | tee "$work/claims.log" | grep -v '^[0-9.]*s \(call\|setup\|teardown\)' | tail -25
claims_status=${PIPESTATUS[0]}
echo "devices recorded by every run in the cache: $("$python" -c '
import collections, json, pathlib
print(dict(collections.Counter(json.loads(p.read_text()).get("device", "?") for p in pathlib.Path(".cache/gradbook/entries").glob("*.json"))))')"

cpu_seconds=$(GRADBOOK_WORKERS= GRADBOOK_DEVICE=cpu timed_run cpu --device cpu --cache-dir "$work/cpu-cache") \
  || { tail -30 "$work/cpu.log"; fail "a snippet failed on the CPU"; }
printf 'JAX and PyTorch snippets, seed 0, cold: GPU %.0f s wall (runs sum to %s s; %s workers per backend on the one GPU), CPU on the same machine %.0f s wall (runs sum to %s s)\n' \
  "$gpu_seconds" "$(summed "$work/gpu.log")" "$GRADBOOK_WORKERS" "$cpu_seconds" "$(summed "$work/cpu.log")"
grep '^workers:' "$work/gpu.log" "$work/cpu.log"
[ "$claims_status" -eq 0 ] || fail "claim tests failed on the GPU"
echo "gpu_check: passed (JAX and PyTorch only; TensorFlow was not installed on this machine)"
