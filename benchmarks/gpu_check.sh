#!/usr/bin/env bash
# The one unattended GPU check of issue 23, for a fresh NVIDIA machine: finds (or installs) a Python with CuPy and
# PyTorch on CUDA, runs the `gpu` tests (the op table on the GPU, graph and eager) and the placement and eager
# tests of the fake device, then the GPU benchmark
# (benchmarks/gpu_workloads.py), and prints a short summary. Bounded: each part has a time limit (defaults below),
# so it ends in about 8 minutes however things go. Logs and figures land in $OUT (or /tmp/neuroflow-gpu-check).
#
#   bash benchmarks/gpu_check.sh
#   GPU_CHECK_TEST_SECONDS=240 GPU_CHECK_BENCH_SECONDS=150 WORKERS=8 bash benchmarks/gpu_check.sh
#   PYTHON=.venv/bin/python GPU_CHECK_NO_INSTALL=1 bash benchmarks/gpu_check.sh   # no install (a dry run)
set -u
cd "$(dirname "$0")/.."
REPO=$PWD
LOGS=${OUT:-/tmp/neuroflow-gpu-check}
mkdir -p "$LOGS"
TEST_SECONDS=${GPU_CHECK_TEST_SECONDS:-270}
BENCH_SECONDS=${GPU_CHECK_BENCH_SECONDS:-150}
WORKERS=${WORKERS:-12}
export PYTHONUNBUFFERED=1 PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"

echo "== card"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -4

echo "== python with CuPy"
PY=${PYTHON:-python3}
if ! "$PY" -c "import cupy" 2>/dev/null && [ -z "${GPU_CHECK_NO_INSTALL:-}" ]; then
    # A machine without CuPy: the extra (CuPy for CUDA 12) and PyTorch for the comparison, in a venv of our own.
    echo "installing neuroflow[gpu,test] and torch into .venv-gpu (needs the network)"
    python3 -m venv "$REPO/.venv-gpu" && PY="$REPO/.venv-gpu/bin/python" &&
        timeout 300 "$PY" -m pip install -q -e "$REPO[gpu,test]" pytest-xdist &&
        timeout 300 "$PY" -m pip install -q torch || echo "INSTALL FAILED (see above)"
fi
"$PY" - <<'EOF' 2>&1 | tee "$LOGS/versions.txt"
import sys, numpy
print("python", sys.version.split()[0], "numpy", numpy.__version__)
try:
    import cupy
    print("cupy", cupy.__version__, "CUDA runtime", cupy.cuda.runtime.runtimeGetVersion(), "devices",
          cupy.cuda.runtime.getDeviceCount())
except Exception as e:
    print("cupy unusable:", type(e).__name__, e)
try:
    import torch
    print("torch", torch.__version__, "cuda", torch.cuda.is_available())
except Exception as e:
    print("torch unusable:", type(e).__name__, e)
import neuroflow as tf
from neuroflow.python.client import device_lib
print("neuroflow sees:", [d.name for d in device_lib.list_local_devices()], "gpu_device_name",
      repr(tf.test.gpu_device_name()))
EOF

XDIST=()
if "$PY" -c "import xdist" 2>/dev/null; then XDIST=(-n "$WORKERS"); fi

echo "== gpu tests (limit ${TEST_SECONDS}s)"
# -v: one line per test as it ends, so a run stopped at the limit still shows what failed so far.
timeout -k 15 "$TEST_SECONDS" "$PY" -m pytest -v -p no:cacheprovider -rfE "${XDIST[@]}" \
    tests/test_gpu_ops.py tests/test_gpu_placement.py tests/test_gpu_fused_updates.py tests/test_gpu_eager.py \
    > "$LOGS/gpu-tests.log" 2>&1
TEST_RC=$?
tail -1 "$LOGS/gpu-tests.log"

echo "== gpu benchmark (limit ${BENCH_SECONDS}s)"
timeout -k 15 "$BENCH_SECONDS" "$PY" benchmarks/gpu_workloads.py --seconds 3 --json "$LOGS/gpu-bench.json" \
    > "$LOGS/gpu-bench.log" 2>&1
BENCH_RC=$?

echo
echo "================ SUMMARY ================"
cat "$LOGS/versions.txt"
echo "-- tests (rc $TEST_RC; 124 = stopped at the time limit):"
grep -E "^=+ .*(passed|failed|error)" "$LOGS/gpu-tests.log" | tail -1
echo "tests ended: $(grep -cE ' (PASSED|FAILED|ERROR|SKIPPED)' "$LOGS/gpu-tests.log"), passed: $(grep -c ' PASSED' "$LOGS/gpu-tests.log"), failed: $(grep -cE ' (FAILED|ERROR) ' "$LOGS/gpu-tests.log")"
echo "failures by op-table row or test (first 40):"
grep -E " (FAILED|ERROR) " "$LOGS/gpu-tests.log" | grep -oE "tests/[^ ]+" | sort -u |
    sed -E 's/.*\[(known|unknown)-(.*)-[0-9]+\]$/\2/; s/.*test_gradient[^[]*\[(.*)\]$/grad:\1/; s/^tests\/[^:]*:://' |
    sort | uniq -c | sort -rn | head -40
echo "first failure messages:"
grep -E "^(FAILED|ERROR) " "$LOGS/gpu-tests.log" | head -15 | cut -c1-300
echo "-- benchmark (rc $BENCH_RC):"
sed -n '/steps\/s (higher/,$p' "$LOGS/gpu-bench.log"
[ "$BENCH_RC" -eq 0 ] || tail -5 "$LOGS/gpu-bench.log"
