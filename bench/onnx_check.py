#!/usr/bin/env python3
"""Checks ONNX files written by torchlet with the ONNX project's own checker (Debian's
python3-onnx: apt-get install python3-onnx): onnx.checker.check_model with full_check, which
also runs ONNX's shape inference over the whole graph. A second reader besides ONNX Runtime,
which the test suite uses; not part of npm test (it needs Python).

    /usr/bin/python3 bench/onnx_check.py                 # exports every zoo model, LeNet-5 (both C3s)
                                                         # and logistic regression with dist/ (npm run build), checks them
    /usr/bin/python3 bench/onnx_check.py model.onnx ...  # checks the given files
"""
import collections
import os
import subprocess
import sys
import tempfile

import onnx

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# Small inputs where the model allows them (as test/onnx/export.test.ts), opset 13 and 17.
EXPORT_ALL = """
import * as torch from "%(dist)s";
const { buildModel, MODEL_ZOO, lenet5, logisticRegression } = torch.models;
const small = { vgg11: { imageSize: 32, widthDivisor: 16 }, nin: { imageSize: 96, widthDivisor: 8 },
  "d2l-resnet18": { imageSize: 32, widthDivisor: 8 }, resnet18: { imageSize: 32, widthDivisor: 8 },
  resnet34: { imageSize: 32, widthDivisor: 8 }, resnet50: { imageSize: 32, widthDivisor: 8 } };
const out = process.argv[2];
for (const name of Object.keys(MODEL_ZOO)) {
  const { model, inputShape } = buildModel(name, small[name] ?? {});
  torch.onnx.export(model, torch.zeros(inputShape), `${out}/${name}.onnx`);
}
torch.onnx.export(lenet5({ c3: "sparse" }), torch.zeros([1, 1, 28, 28]), `${out}/lenet5-sparse.onnx`);
torch.onnx.export(lenet5({ c3: "full" }), torch.zeros([1, 1, 28, 28]), `${out}/lenet5-full.onnx`, { opsetVersion: 17 });
torch.onnx.export(logisticRegression(), torch.zeros([1, 1, 28, 28]), `${out}/logreg.onnx`);
"""


def export_all(folder):
    script = os.path.join(folder, "export_all.mjs")  # a file: torchlet's worker threads inherit node's flags
    with open(script, "w") as f:
        f.write(EXPORT_ALL % {"dist": os.path.join(os.path.abspath(ROOT), "dist", "index.js")})
    subprocess.run(["node", script, folder], check=True)
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".onnx"))


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    graph = model.graph
    ops = collections.Counter(n.op_type for n in graph.node)
    dims = lambda v: "x".join(d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim)
    io = ", ".join(f"{v.name}[{dims(v)}]" for v in [*graph.input, *graph.output])
    print(f"ok  {os.path.basename(path):22s} IR {model.ir_version}, opset {model.opset_import[0].version}, "
          f"{len(graph.initializer)} initializers, {io}; " + " ".join(f"{k}x{v}" for k, v in sorted(ops.items())))


if __name__ == "__main__":
    print(f"onnx {onnx.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = sys.argv[1:] or export_all(tmp)
        failed = 0
        for p in paths:
            try:
                check(p)
            except Exception as e:  # report every file, then fail
                failed += 1
                print(f"FAIL {p}: {e}")
        print(f"{len(paths) - failed}/{len(paths)} files pass onnx.checker.check_model(full_check=True)")
        sys.exit(1 if failed else 0)
