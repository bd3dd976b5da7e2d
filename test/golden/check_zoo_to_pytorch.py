#!/usr/bin/env python3
"""torchlet -> PyTorch for every zoo model: torchlet builds each model (the sizes of
test/golden/zoo_pt.json, torchlet's own initialisation, three train-mode batches for the batch
norms), saves its state dict as safetensors and records its eval-mode output on a fixed input;
this script then loads each file into the PyTorch class of test/golden/generate_zoo_pt.py with
load_state_dict(strict=True) and compares PyTorch's output with torchlet's.

Run from the repository root after `npm run build`:   /usr/bin/python3 test/golden/check_zoo_to_pytorch.py
Exits non-zero if a model does not load or its outputs differ by more than 2e-4 (relative to
max(1, max |y|)). Not part of npm test (it needs Python); zoo-pt.test.ts checks the keys, order
and shapes that strict=True compares, without Python.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import generate_models3 as g  # noqa: E402
from generate_zoo_pt import ZOO  # noqa: E402

TOLERANCE = 2e-4

# Runs in Node as a file (not node -e: the worker threads would inherit -e's flags): argv =
# [dist/index.js, work dir]; reads cases.json and <name>.input.f32, writes <name>.safetensors
# and <name>.output.json.
TORCHLET = r"""
const [indexJs, dir] = process.argv.slice(2);
const torch = await import(indexJs);
const { readFileSync, writeFileSync } = await import("node:fs");
const cases = JSON.parse(readFileSync(`${dir}/cases.json`, "utf8"));
for (const [name, c] of Object.entries(cases)) {
  torch.manualSeed(1);
  const { model } = torch.models.buildModel(name, c.options);
  if (Object.keys(model.stateDict()).some((k) => k.endsWith("running_mean"))) {
    model.train();
    torch.noGrad(() => { for (let i = 0; i < 3; i++) model.forward(torch.randn([4, ...c.input.slice(1)])); });
  }
  model.eval();
  const raw = readFileSync(`${dir}/${name}.input.f32`);
  const x = torch.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4).slice(), { shape: c.input });
  const y = torch.noGrad(() => model.forward(x));
  torch.save(model, `${dir}/${name}.safetensors`);
  writeFileSync(`${dir}/${name}.output.json`, JSON.stringify({ shape: y.shape, data: Array.from(y.data) }));
}
"""


def read_safetensors(path):
    """The F32 tensors of a safetensors file (all torchlet writes for these models), by name."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").copy()).reshape(info["shape"])
    return out


def main():
    cases = json.load(open(os.path.join(HERE, "zoo_pt.json")))["models"]
    index_js = os.path.join(ROOT, "dist", "index.js")
    failed = []
    with tempfile.TemporaryDirectory(prefix="torchlet-zoo-") as tmp:
        with open(os.path.join(tmp, "cases.json"), "w") as f:
            json.dump({k: {"options": c["options"], "input": c["input"]} for k, c in cases.items()}, f)
        for name, c in cases.items():
            g.det_input(tuple(c["input"])).numpy().astype("<f4").tofile(os.path.join(tmp, f"{name}.input.f32"))
        script = os.path.join(tmp, "torchlet_side.mjs")
        with open(script, "w") as f:
            f.write(TORCHLET)
        subprocess.run(["node", script, index_js, tmp], check=True)
        for name, c in cases.items():
            options, build, _ = ZOO[name]
            model = build()
            shape = tuple(c["input"])
            with torch.no_grad():
                model(torch.zeros(shape))  # creates the lazy layers
            sd = read_safetensors(os.path.join(tmp, f"{name}.safetensors"))
            try:
                model.load_state_dict(sd, strict=True)
            except RuntimeError as err:
                failed.append(name)
                print(f"{name:15} does not load with strict=True: {err}")
                continue
            model.eval()
            with torch.no_grad():
                y = model(g.det_input(shape)).double()
            ours = json.load(open(os.path.join(tmp, f"{name}.output.json")))
            theirs = torch.tensor(ours["data"], dtype=torch.float64).reshape(ours["shape"])
            diff = (y - theirs).abs().max().item()
            scale = max(1.0, theirs.abs().max().item())
            ok = diff <= TOLERANCE * scale
            if not ok:
                failed.append(name)
            print(f"{name:15} {len(sd):3} tensors, strict=True ok; max |PyTorch - torchlet| = {diff:.2e} (max |y| {theirs.abs().max().item():.3f}) {'ok' if ok else 'FAIL'}")
    print(f"torch {torch.__version__}: {len(cases) - len(failed)} of {len(cases)} zoo models load into PyTorch with strict=True and give torchlet's outputs")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
