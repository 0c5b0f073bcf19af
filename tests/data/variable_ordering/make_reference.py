"""Writes reference.json: TensorFlow's answers to the graphs of cases.py (TF1 graph mode, reference variables,
control flow v1), for tests/test_variable_ordering.py. Run with the anchors' Python (TensorFlow installed):
    ~/.cache/neuroflow-anchors/bin/python tests/data/variable_ordering/make_reference.py
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tensorflow  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import CASES, RUNS, run_case  # noqa: E402


def main():
    tf = tensorflow.compat.v1
    tf.disable_eager_execution()
    tf.disable_resource_variables()
    tf.disable_control_flow_v2()
    answers = {name: run_case(tf, build) for name, build in CASES.items()}
    lines = [f" {json.dumps(name)}: {json.dumps(runs)}" for name, runs in answers.items()]  # a case a line
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        f.write(f'{{"tensorflow_version": {json.dumps(tensorflow.__version__)}, "runs": {RUNS}, "cases": {{\n')
        f.write(",\n".join(lines) + "\n}}\n")


if __name__ == "__main__":
    main()
