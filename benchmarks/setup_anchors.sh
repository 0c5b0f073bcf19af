#!/usr/bin/env bash
# Makes (once) the anchors' virtual environment: TensorFlow (CPU, with tf_keras for the v1 layers), PyTorch (CPU),
# JAX and optax, which benchmarks/compare.py runs beside neuroflow. About 2 GB. Prints the environment's python.
set -euo pipefail
V=${ANCHORS_VENV:-$HOME/.cache/neuroflow-anchors}
if ! "$V/bin/python" -c "import tensorflow, tf_keras, torch, jax, optax" 2>/dev/null; then
  echo "setup_anchors: installing TensorFlow, PyTorch, JAX and optax into $V" >&2
  python3 -m venv "$V" >&2
  "$V/bin/pip" install tensorflow-cpu==2.21.0 tf-keras==2.21.0 torch==2.13.0 jax jaxlib optax numpy >&2
fi
echo "$V/bin/python"
