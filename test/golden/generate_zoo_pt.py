#!/usr/bin/env python3
"""PyTorch -> torchlet for every model of torchlet's zoo (src/models/zoo.ts MODEL_ZOO): each
model built in PyTorch 1.13 (Debian's python3-torch) with PyTorch's own initialisation, its
state dict written by torch.save to test/golden/zoo_pt/<name>.pt, and its eval-mode output on
a fixed input recorded in test/golden/zoo_pt.json with PyTorch's state-dict keys and shapes.
test/golden/zoo-pt.test.ts loads each .pt with torch.load into torchlet's model (strict=True)
and compares outputs; it never runs Python.

Run from the repository root:   /usr/bin/python3 test/golden/generate_zoo_pt.py

The model classes are the golden generator's (generate_models3.py: the seeds', d2l's and
torchvision's written out). Each model is small: the narrowest sizes the zoo allows
(zoo_options, passed to torchlet's buildModel as they are). Models with batch norm run three
train-mode batches first, so that the running statistics and num_batches_tracked are not the
initial ones. To keep the files small, a Linear weight of more than 2^16 elements (VGG-11's
4096-wide layers, the improved LeNet's fc1) is stored as a Hankel matrix, W[i, j] = s[i + j]
(torch.as_strided with strides (1, 1) over a vector s drawn uniformly within the range of the
layer's own PyTorch initialisation): torch.save then writes out + in - 1 numbers, and the loader
must expand the overlapping view.
"""

import copy
import json
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_models3 as g  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(HERE, "zoo_pt")
COMPACT_ABOVE = 2 ** 16
VGG11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
RESNET18 = ((2, 64), (2, 128), (2, 256), (2, 512))


def torchvision_init(model):
    """torchvision.models.resnet's init: He-normal (fan_out) convolutions, batch norm 1 and 0."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def resnet(block, layers, k):
    return torchvision_init(g.TorchvisionResNet(block, layers, num_classes=10, in_channels=1, width_divisor=k))


# name: (zoo options for buildModel, PyTorch model, d2l's init_cnn after materialising?)
ZOO = {
    "lecture-lenet": ({}, lambda: g.LectureLeNet(), False),
    "d2l-lenet": ({}, lambda: g.D2lLeNet(), True),
    "modern-lenet": ({}, lambda: g.ModernLeNet(), False),
    "improved-lenet": ({}, lambda: g.ImprovedLeNet(), False),
    "vgg11": ({"imageSize": 32, "widthDivisor": 16}, lambda: g.VGG(tuple((n, c // 16) for n, c in VGG11)), True),
    "nin": ({"imageSize": 96, "widthDivisor": 8}, lambda: g.NiN(width_divisor=8), True),
    "d2l-resnet18": ({"imageSize": 32, "widthDivisor": 32}, lambda: g.D2lResNet(RESNET18, width_divisor=32), True),
    "resnet18": ({"imageSize": 32, "widthDivisor": 32}, lambda: resnet(g.BasicBlock, [2, 2, 2, 2], 32), False),
    "resnet34": ({"imageSize": 32, "widthDivisor": 32}, lambda: resnet(g.BasicBlock, [3, 4, 6, 3], 32), False),
    "resnet50": ({"imageSize": 32, "widthDivisor": 32}, lambda: resnet(g.Bottleneck, [3, 4, 6, 3], 32), False),
}
IMAGE_SIZES = {"lecture-lenet": 32, "d2l-lenet": 28, "modern-lenet": 28, "improved-lenet": 28}


def compact_linears(model):
    """Big Linear weights -> Hankel views of one vector (see the module docstring)."""
    names = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear) and m.weight.numel() > COMPACT_ABOVE:
            out_f, in_f = m.weight.shape
            bound = m.weight.detach().abs().max().item()
            s = torch.empty(out_f + in_f - 1).uniform_(-bound, bound)
            m.weight = nn.Parameter(s.as_strided((out_f, in_f), (1, 1)))
            names.append(f"{name}.weight")
    return names


def record(name, options, build, d2l_init):
    torch.manual_seed(0)
    side = options.get("imageSize", IMAGE_SIZES.get(name))
    shape = (2, 1, side, side)
    model = build()
    with torch.no_grad():
        model(torch.zeros(shape))  # creates the lazy layers
    if d2l_init:
        model.apply(g.init_cnn)
    compacted = compact_linears(model)
    if any(isinstance(m, nn.BatchNorm2d) for m in model.modules()):
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(4, *shape[1:]))
    model.eval()
    x = g.det_input(shape)
    with torch.no_grad():
        out = model(x)
        ref = copy.deepcopy(model).double()(x.double())
    err = (out.double() - ref).abs().max().item() / max(1.0, ref.abs().max().item())
    assert err < 2e-5, f"{name}: float32 and float64 differ by {err}"
    sd = model.state_dict()
    file = f"{name}.pt"
    torch.save(sd, os.path.join(OUT, file))
    back = torch.load(os.path.join(OUT, file), weights_only=True)
    assert all(torch.equal(back[k], v) for k, v in sd.items())
    return {
        "options": options,
        "input": list(shape),
        "file": f"zoo_pt/{file}",
        "bytes": os.path.getsize(os.path.join(OUT, file)),
        "compacted": compacted,
        "keys": [[k, list(v.shape)] for k, v in sd.items()],
        "output": {"shape": list(out.shape), "data": [float(f"{v:.9g}") for v in out.reshape(-1).tolist()]},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    models = {name: record(name, *spec) for name, spec in ZOO.items()}
    path = os.path.join(HERE, "zoo_pt.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "models": models}, f, separators=(",", ":"))
        f.write("\n")
    for name, m in models.items():
        print(f"{name:15} {m['bytes']:>9,} bytes  compacted: {', '.join(m['compacted']) or '-'}")
    print(f"total {sum(m['bytes'] for m in models.values()):,} bytes of .pt in {OUT}; wrote {path}")


if __name__ == "__main__":
    main()
