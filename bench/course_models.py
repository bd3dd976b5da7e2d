#!/usr/bin/env python3
"""The course's networks in PyTorch for the course rows of `npm run bench` (bench/src/workloads.ts
CourseStep, timed by pytorch_bench.py). The classes are the golden tests' own
(test/golden/generate_course_models.py: the seeds' and d2l's definitions, Lazy layers included, whose
parameter counts, state-dict keys, layer shapes and outputs torchlet's models are tested against),
so the benchmark compares torchlet with exactly the networks it is checked to match. As d2l's
apply_init does, one forward pass on a zero image gives the Lazy layers their shapes (they become
plain Conv2d / Linear / BatchNorm2d), then init_cnn applies Xavier to the d2l nets.

    /usr/bin/python3 bench/course_models.py   # prints each network's output shape and parameters
"""
import os
import sys
import warnings

import torch

warnings.filterwarnings("ignore", message="Lazy modules are a new feature")  # PyTorch 1.13's notice, on stderr
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden"))
# NOTE: importing it sets torch's thread count to 1; pytorch_bench.py sets its own afterwards.
from generate_course_models import D2lLeNet, D2lResNet, ImprovedLeNet, Inception, ModernLeNet, VGG, init_cnn  # noqa: E402

VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
D2L_RESNET18_ARCH = ((2, 64), (2, 128), (2, 256), (2, 512))


def build(course):
    """A course row's network, ready to train: its Lazy layers created for one image of
    course["input"] (C, H, W), d2l's init_cnn applied to the d2l nets, in training mode."""
    name = course["model"]
    if name == "modern-lenet":
        model, d2l = ModernLeNet(), False
    elif name == "improved-lenet":
        model, d2l = ImprovedLeNet(), False
    elif name == "d2l-lenet":
        model, d2l = D2lLeNet(), True
    elif name == "vgg11":  # widthDivisor 4: d2l's ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
        k = course.get("widthDivisor", 1)
        model, d2l = VGG(tuple((n, max(1, c // k)) for n, c in VGG11_ARCH)), True
    elif name == "d2l-resnet18":
        model, d2l = D2lResNet(D2L_RESNET18_ARCH), True
    elif name == "inception-b3":  # d2l 8.4's GoogLeNet b3, first block
        model, d2l = Inception(64, (96, 128), (16, 32), 32), True
    else:
        raise ValueError(f"unknown course model {name!r}")
    model.eval()  # the shape pass must not move batch-norm statistics
    with torch.no_grad():
        model(torch.zeros(1, *course["input"]))
    if d2l:
        model.apply(init_cnn)
    return model.train()


if __name__ == "__main__":
    for course in [{"model": "modern-lenet", "input": [1, 28, 28]}, {"model": "improved-lenet", "input": [1, 28, 28]},
                   {"model": "d2l-lenet", "input": [1, 28, 28]}, {"model": "vgg11", "widthDivisor": 4, "input": [1, 224, 224]},
                   {"model": "d2l-resnet18", "input": [1, 96, 96]}, {"model": "inception-b3", "input": [192, 28, 28]}]:
        m = build(course)
        y = m(torch.zeros(2, *course["input"]))
        kinds = sorted({type(x).__name__ for x in m.modules() if "Lazy" in type(x).__name__})
        print(f"{course['model']}: {tuple(y.shape)}, {sum(p.numel() for p in m.parameters()):,} parameters, lazy left: {kinds or 'none'}")
