#!/usr/bin/env bash
# GPU check: run on a machine with an NVIDIA GPU, Python 3.11 and access to PyPI (under 8 minutes).
# Installs the project with the `gpu` extra into a fresh venv, builds the site strictly from an
# empty cache, checks that every figure caption names the GPU, runs the claim tests there, and
# prints the cold build time next to the same build forced onto the CPU on the same machine.
set -uo pipefail
cd "$(dirname "$0")/.."
fail() { echo "gpu_check: $1"; exit "${2:-1}"; }

nvidia-smi -L 2>/dev/null | head -4 || fail "no NVIDIA GPU visible (nvidia-smi failed)" 2
python=$(command -v python3.11) || fail "needs Python 3.11 (the project pins >=3.11,<3.12); found: $(python3 --version 2>&1)" 2
venv=${GPU_CHECK_VENV:-/tmp/gradbook-gpu-venv}
if [ ! -x "$venv/bin/mkdocs" ]; then
  "$python" -m venv "$venv" && "$venv/bin/pip" install -q -e ".[gpu,test]" \
    || fail "could not install the project with the gpu extra (is PyPI reachable?)" 3
fi
export NO_MKDOCS_2_WARNING=1
work=$(mktemp -d)
# Cold builds need an empty cache: keep the developer's own cache aside and put it back at the end.
[ -d .cache ] && mv .cache "$work/cache-aside"
trap 'rm -rf .cache; [ -d "$work/cache-aside" ] && mv "$work/cache-aside" .cache' EXIT

cold_build() {  # $1: label, then environment assignments
  local label=$1; shift
  rm -rf .cache
  local started=$(date +%s.%N)
  env "$@" "$venv/bin/mkdocs" build --strict -d "$work/$label" >"$work/$label.log" 2>&1 \
    || { tail -30 "$work/$label.log"; fail "the strict $label build failed"; }
  echo "$(date +%s.%N) - $started" | bc
}

gpu_seconds=$(cold_build gpu)
figures=$(grep -rho 'Ran on [^<]* with TensorFlow' "$work/gpu" --include=index.html | sort | uniq -c)
echo "captions in the GPU build:"; echo "$figures"
echo "$figures" | grep -q 'Ran on CPU' && fail "some figures ran on the CPU although a GPU is visible"
echo "$figures" | grep -q 'Ran on GPU' || fail "no caption names the GPU"

"$venv/bin/python" -m pytest tests/claims -q -p no:cacheprovider -x | tail -3 || fail "claim tests failed on the GPU"
cpu_seconds=$(cold_build cpu GRADBOOK_DEVICE=cpu)
printf 'cold strict build: GPU %.0f s, CPU (same machine, GRADBOOK_DEVICE=cpu) %.0f s\n' "$gpu_seconds" "$cpu_seconds"
