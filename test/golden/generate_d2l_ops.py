#!/usr/bin/env python3
"""Golden values for the ops and layers of d2l chapters 7-8, computed by PyTorch (Debian's python3-torch 1.13):

    /usr/bin/python3 test/golden/generate_d2l_ops.py

Writes d2l-ops.json next to this script:
  cases    pad, interpolate, adaptive pooling, conv1d, conv2d padding "same"/"valid", d2l's
           pooling examples, batch_norm (train and eval, with the running statistics after the
           call): inputs, output, gradients of sum(output * R), in the format of ops.json
           (the helpers come from generate.py).
  modules  BatchNorm2d over three training steps (momentum 0.1 and None), then eval():
           running statistics, num_batches_tracked and the eval output.
  init     torch.nn.init's xavier/kaiming initialisers on large tensors: the sample std and
           max |w| that torchlet's draws must match in distribution.
"""

import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as g  # noqa: E402  (encoding helpers and the case() recorder)

g.GEN.manual_seed(3)
rn, case, enc = g.rn, g.case, g.enc


def pad_cases():
    def pad(name, shape, pads, mode="constant", value=None):
        kw = {"mode": mode} if value is None else {"mode": mode, "value": value}
        args = {"pads": pads, "mode": mode} if value is None else {"pads": pads, "mode": mode, "value": value}
        case(f"pad {name}", "pad", [rn(*shape)], lambda t: F.pad(t, pads, **kw), args)

    pad("constant value 0.5 [1,2,0,1]", (2, 2, 3, 4), [1, 2, 0, 1], value=0.5)
    pad("constant negative crops [-1,2]", (2, 3, 5), [-1, 2])
    pad("constant of a 2-D input [2,1]", (3, 4), [2, 1])
    pad("constant three dims [1,0,0,2,1,1]", (2, 3, 2, 2), [1, 0, 0, 2, 1, 1])
    pad("reflect d2l 5x5 [1,1,1,1]", (1, 1, 5, 5), [1, 1, 1, 1], "reflect")
    pad("reflect [2,1,1,3]", (1, 2, 4, 5), [2, 1, 1, 3], "reflect")
    pad("reflect 3-D [3,2]", (2, 2, 6), [3, 2], "reflect")
    pad("reflect unbatched (C,H,W) [1,2,2,1]", (2, 3, 4), [1, 2, 2, 1], "reflect")
    pad("replicate [2,1,0,3]", (1, 2, 3, 4), [2, 1, 0, 3], "replicate")
    pad("replicate 3-D [1,2]", (2, 1, 3), [1, 2], "replicate")
    pad("circular [1,2,2,1]", (1, 2, 3, 4), [1, 2, 2, 1], "circular")
    pad("circular 3-D [3,2] (wraps a whole length)", (1, 2, 3), [3, 2], "circular")


def interpolate_cases():
    def interp(name, shape, **kw):
        names = {"size": "size", "scale_factor": "scaleFactor", "mode": "mode", "align_corners": "alignCorners"}
        args = {names[k]: v for k, v in kw.items()}
        case(f"interpolate {name}", "interpolate", [rn(*shape)], lambda t: F.interpolate(t, **kw), args)

    interp("bilinear d2l 8x8 scale 1/1.414 alignCorners", (1, 1, 8, 8), scale_factor=1 / 1.414, mode="bilinear", align_corners=True)
    interp("bilinear size [5,7]", (2, 2, 4, 6), size=[5, 7], mode="bilinear", align_corners=False)
    interp("bilinear scale 2", (1, 2, 3, 4), scale_factor=2, mode="bilinear", align_corners=False)
    interp("bilinear scale [0.6,1.7]", (1, 1, 7, 5), scale_factor=[0.6, 1.7], mode="bilinear", align_corners=False)
    interp("bilinear alignCorners size [6,3]", (1, 2, 4, 5), size=[6, 3], mode="bilinear", align_corners=True)
    interp("bilinear alignCorners to 1x1", (1, 1, 3, 4), size=1, mode="bilinear", align_corners=True)
    interp("bilinear 10x10 to 24x24 (Resize(24))", (1, 1, 10, 10), size=24, mode="bilinear", align_corners=False)
    interp("nearest size [5,7]", (1, 2, 3, 4), size=[5, 7], mode="nearest")
    interp("nearest scale 1.5", (1, 1, 5, 5), scale_factor=1.5, mode="nearest")
    interp("nearest scale 0.5", (1, 1, 6, 7), scale_factor=0.5, mode="nearest")
    interp("nearest scale 2 (exact doubling)", (1, 2, 3, 2), scale_factor=2, mode="nearest")
    interp("nearest scale 1/3 of 9 (float32 scale)", (1, 1, 9, 9), scale_factor=1 / 3, mode="nearest")
    interp("nearest 3-D size 7", (2, 2, 5), size=7, mode="nearest")


def adaptive_cases():
    def ap(name, op, shape, size):
        fn = F.adaptive_avg_pool2d if op == "adaptiveAvgPool2d" else F.adaptive_max_pool2d
        case(f"{op} {name}", op, [rn(*shape)], lambda t: fn(t, size), {"outputSize": size})

    ap("7x9 to [3,4] (overlapping windows)", "adaptiveAvgPool2d", (2, 3, 7, 9), [3, 4])
    ap("global 5x5 to 1", "adaptiveAvgPool2d", (1, 2, 5, 5), 1)
    ap("[null, 3] keeps H", "adaptiveAvgPool2d", (1, 2, 6, 4), [None, 3])
    ap("unbatched (C,H,W) to 2", "adaptiveAvgPool2d", (2, 5, 5), 2)
    ap("3x3 to 5 (upsampling)", "adaptiveAvgPool2d", (1, 1, 3, 3), 5)
    ap("7x9 to [3,4]", "adaptiveMaxPool2d", (2, 3, 7, 9), [3, 4])
    ap("6x6 to 3", "adaptiveMaxPool2d", (1, 2, 6, 6), 3)
    ap("3x3 to 5 (upsampling)", "adaptiveMaxPool2d", (1, 1, 3, 3), 5)


def conv_cases():
    def conv(name, op, xs, ws, bias=True, **kw):
        fn = F.conv1d if op == "conv1d" else F.conv2d
        ins = [rn(*xs), rn(*ws, scale=0.5)] + ([rn(ws[0])] if bias else [])
        case(f"{op} {name}", op, ins, lambda *t: fn(*t, **kw), kw)

    conv("basic k3", "conv1d", (2, 3, 10), (4, 3, 3))
    conv("stride 2 padding 1 dilation 2", "conv1d", (1, 2, 11), (3, 2, 3), stride=2, padding=1, dilation=2)
    conv("groups 2 no bias", "conv1d", (2, 4, 8), (6, 2, 3), bias=False, groups=2)
    conv("padding same k4 (asymmetric)", "conv1d", (1, 2, 9), (3, 2, 4), padding="same")
    conv("padding same k3 dilation 2", "conv1d", (1, 2, 9), (3, 2, 3), padding="same", dilation=2)
    conv("padding valid", "conv1d", (1, 2, 9), (3, 2, 4), padding="valid")
    conv("unbatched (C,L)", "conv1d", (2, 7), (3, 2, 3))
    conv("padding same k [4,3] (asymmetric rows)", "conv2d", (1, 2, 6, 7), (3, 2, 4, 3), padding="same")
    conv("padding same k [2,2] dilation [2,1]", "conv2d", (2, 2, 5, 5), (2, 2, 2, 2), padding="same", dilation=[2, 1])
    conv("padding same groups 2", "conv2d", (1, 4, 5, 5), (4, 2, 3, 3), padding="same", groups=2)
    conv("padding valid", "conv2d", (1, 2, 6, 6), (3, 2, 3, 3), padding="valid")


def pool_cases():
    """d2l 7.5's examples (values and gradients) and per-axis options."""
    x16 = torch.arange(16, dtype=torch.float64).reshape(1, 1, 4, 4)
    two = torch.cat([x16, x16 + 1], 1)

    def pool(name, op, x, k, **kw):
        fn = F.avg_pool2d if op == "avgPool2d" else F.max_pool2d
        names = {"stride": "stride", "padding": "padding", "ceil_mode": "ceilMode", "count_include_pad": "countIncludePad"}
        args = {"kernelSize": k, **{names[a]: v for a, v in kw.items()}}
        case(f"{op} {name}", op, [x], lambda t: fn(t, k, **kw), args)

    pool("d2l 3x3 on arange(16)", "maxPool2d", x16, 3)
    pool("d2l 3x3 padding 1 stride 2", "maxPool2d", x16, 3, padding=1, stride=2)
    pool("d2l (2,3) stride (2,3) padding (0,1)", "maxPool2d", x16, [2, 3], stride=[2, 3], padding=[0, 1])
    pool("d2l two channels 3x3 padding 1 stride 2", "maxPool2d", two, 3, padding=1, stride=2)
    pool("d2l (2,3) stride (2,3) padding (0,1)", "avgPool2d", x16, [2, 3], stride=[2, 3], padding=[0, 1])
    pool("(2,3) stride (2,3) padding (0,1) random", "maxPool2d", rn(2, 2, 5, 7), [2, 3], stride=[2, 3], padding=[0, 1])
    pool("(3,2) stride (1,2) padding (1,0) ceilMode", "avgPool2d", rn(1, 2, 5, 5), [3, 2], stride=[1, 2], padding=[1, 0], ceil_mode=True)
    pool("(3,2) stride (2,1) padding (1,1) ceilMode", "maxPool2d", rn(1, 2, 6, 5), [3, 2], stride=[2, 1], padding=[1, 1], ceil_mode=True)


def batch_norm_cases():
    def bn(name, shape, affine, training, momentum=0.1, eps=1e-5, stats=True):
        C = shape[1]
        ins = [g.f32(rn(*shape, scale=2) + 1)]
        if stats:
            ins += [rn(C, scale=0.3), g.f32(torch.rand(C, generator=g.GEN, dtype=torch.float64) + 0.5)]
        if affine:
            ins += [rn(C), rn(C)]
        held = {}

        def fn(x, *rest):
            rm, rv = (rest[0], rest[1]) if stats else (None, None)
            w, b = (rest[-2], rest[-1]) if affine else (None, None)
            held.update(rm=rm, rv=rv)
            return F.batch_norm(x, rm, rv, w, b, training, momentum, eps)

        diff = [True] + ([False, False] if stats else []) + ([True, True] if affine else [])
        case(f"batchNorm {name}", "batchNorm", ins, fn,
             {"training": training, "momentum": momentum, "eps": eps, "stats": stats, "affine": affine}, diff)
        if stats and training:
            g.CASES[-1]["after"] = {"runningMean": enc(held["rm"]), "runningVar": enc(held["rv"])}

    bn("train 4-D affine", (4, 3, 2, 3), True, True)
    bn("train 2-D no affine momentum 0.3", (5, 4), False, True, momentum=0.3)
    bn("train 3-D affine eps 1e-3", (3, 2, 4), True, True, eps=1e-3)
    bn("train without running stats", (2, 3, 2, 2), True, True, stats=False)
    bn("eval 4-D affine", (2, 3, 2, 3), True, False)
    bn("eval 2-D no affine", (4, 5), False, False)


def batch_norm_modules():
    out = []
    for momentum in [0.1, None]:
        m = nn.BatchNorm2d(3, momentum=momentum).double()
        xs = [g.f32(rn(4, 3, 2, 2, scale=2) + 1) for _ in range(3)]
        for x in xs:
            m(x)
        m.eval()
        xe = rn(2, 3, 2, 2)
        out.append({"momentum": momentum, "inputs": [enc(x) for x in xs], "evalInput": enc(xe), "evalOutput": enc(m(xe)),
                    "stateDict": {k: enc(v.double()) for k, v in m.state_dict().items()}})
    return out


def init_facts():
    """Sample std and max |w| of torch.nn.init's draws on large tensors."""
    torch.manual_seed(0)
    specs = [
        ("xavierUniform_", (64, 32, 3, 3), {}, lambda t: nn.init.xavier_uniform_(t)),
        ("xavierUniform_", (120, 400), {"gain": 2.0}, lambda t: nn.init.xavier_uniform_(t, gain=2.0)),
        ("xavierNormal_", (64, 32, 3, 3), {"gain": 0.5}, lambda t: nn.init.xavier_normal_(t, gain=0.5)),
        ("kaimingUniform_", (64, 32, 3, 3), {}, lambda t: nn.init.kaiming_uniform_(t)),
        ("kaimingUniform_", (64, 32, 3, 3), {"a": math.sqrt(5)}, lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
        ("kaimingNormal_", (64, 32, 3, 3), {"mode": "fanOut", "nonlinearity": "relu"},
         lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")),
        ("kaimingNormal_", (300, 100), {"nonlinearity": "tanh"}, lambda t: nn.init.kaiming_normal_(t, nonlinearity="tanh")),
    ]
    facts = []
    for fn, shape, options, init in specs:
        t = init(torch.empty(shape, dtype=torch.float64))
        facts.append({"fn": fn, "shape": list(shape), "options": options, "n": t.numel(),
                      "std": t.std().item(), "maxAbs": t.abs().max().item(), "mean": t.mean().item()})
    return facts


def main():
    pad_cases()
    interpolate_cases()
    adaptive_cases()
    conv_cases()
    pool_cases()
    batch_norm_cases()
    g.write("d2l-ops.json", {"torch": torch.__version__, "cases": g.CASES, "modules": batch_norm_modules(), "init": init_facts()})


if __name__ == "__main__":
    main()
