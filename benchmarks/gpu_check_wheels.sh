#!/usr/bin/env bash
# Fetch what benchmarks/gpu_check.sh's offline check needs beyond a GPU machine's own Python (which
# has JAX and PyTorch with CUDA, NumPy, matplotlib and pytest): Keras and its two dependencies that
# such images lack. Run where PyPI is reachable; carry the folder to the GPU machine.
#   benchmarks/gpu_check_wheels.sh .whl 3.12   then, there:   GPU_CHECK_WHEELS=.whl benchmarks/gpu_check.sh
set -euo pipefail
folder=${1:-.whl}
python_version=${2:-3.12}
keras=$(sed -n 's/.*"keras==\([0-9.]*\)".*/\1/p' "$(dirname "$0")/../pyproject.toml")
platforms=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64)
python3 -m pip download -q --no-deps --only-binary=:all: --implementation cp --python-version "$python_version" \
  "${platforms[@]/#/--platform=}" -d "$folder" "keras==$keras" namex optree
ls -la "$folder"
