#!/usr/bin/env python3
"""Golden facts for the course's models (src/models/: lenets, d2l LeNet, VGG, NiN, ResNets,
Inception), computed by PyTorch 1.13 (Debian's python3-torch; torchvision is not installed, so
torchvision's ResNet-18/50 are written out here by hand, layer for layer).

Run from the repository root:   /usr/bin/python3 test/golden/generate_course_models.py
Writes test/golden/course-models.json with, per model:
  params    the number of trainable scalars
  keys      state-dict keys and shapes (buffers included), in PyTorch's order
  layers    [name, class, output shape] of each child of the summarised container, for the
            seed's input shape (what d2l's layer_summary prints)
and per "values" case a small forward pass with deterministic weights (see det_fill: no weights
are stored, the TypeScript test computes the same formula) and its output.
The TypeScript tests read the JSON only; they never run Python.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------------------- the seeds' models
class LectureLeNet(nn.Module):  # seeds/003
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class ModernLeNet(nn.Module):  # seeds/004, d2l 7.6 exercises
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5, stride=1, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5, stride=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class ImprovedLeNet(nn.Module):  # seeds/004
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(64, 128, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(128 * 3 * 3, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.pool(F.relu(self.conv3(x)))
        x = x.view(-1, 128 * 3 * 3)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def init_cnn(module):  # d2l
    if type(module) == nn.Linear or type(module) == nn.Conv2d:
        nn.init.xavier_uniform_(module.weight)


class D2lLeNet(nn.Module):  # d2l 7.6 (d2l.Classifier keeps the layers in self.net)
    def __init__(self, num_classes=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(120), nn.Sigmoid(),
            nn.LazyLinear(84), nn.Sigmoid(),
            nn.LazyLinear(num_classes))

    def forward(self, x):
        return self.net(x)


def vgg_block(num_convs, out_channels):  # d2l 8.2
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, arch, num_classes=10):
        super().__init__()
        self.net = nn.Sequential(
            *[vgg_block(*b) for b in arch], nn.Flatten(),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
            nn.LazyLinear(num_classes))

    def forward(self, x):
        return self.net(x)


def nin_block(out_channels, kernel_size, strides, padding):  # d2l 8.3
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())


def narrow(channels, width_divisor):  # torchlet's widthDivisor (src/models/d2l.ts narrow)
    return max(1, channels // width_divisor)


class NiN(nn.Module):
    def __init__(self, num_classes=10, width_divisor=1):
        super().__init__()
        c = lambda ch: narrow(ch, width_divisor)
        self.net = nn.Sequential(
            nin_block(c(96), kernel_size=11, strides=4, padding=0), nn.MaxPool2d(3, stride=2),
            nin_block(c(256), kernel_size=5, strides=1, padding=2), nn.MaxPool2d(3, stride=2),
            nin_block(c(384), kernel_size=3, strides=1, padding=1), nn.MaxPool2d(3, stride=2),
            nn.Dropout(0.5),
            nin_block(num_classes, kernel_size=3, strides=1, padding=1),
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())

    def forward(self, x):
        return self.net(x)


class Residual(nn.Module):  # d2l 8.6
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


class D2lResNet(nn.Module):
    def __init__(self, arch, num_classes=10, width_divisor=1):
        super().__init__()
        arch = [(n, narrow(c, width_divisor)) for n, c in arch]
        self.net = nn.Sequential(nn.Sequential(
            nn.LazyConv2d(narrow(64, width_divisor), kernel_size=7, stride=2, padding=3),
            nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1)))
        for i, (num_residuals, num_channels) in enumerate(arch):
            blk = [Residual(num_channels, use_1x1conv=True, strides=2) if j == 0 and i != 0 else Residual(num_channels)
                   for j in range(num_residuals)]
            self.net.add_module(f"b{i + 2}", nn.Sequential(*blk))
        self.net.add_module("last", nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(num_classes)))

    def forward(self, x):
        return self.net(x)


# torchvision.models.resnet, written out (torchvision is not installed here).
def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(i, o, stride=1):
    return nn.Conv2d(i, o, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):  # torchvision v1.5: the stride sits on the 3x3 conv, as the seed's
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * 4)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


def make_block(block, inplanes, planes, stride=1):
    """The seed's blocks build their own shortcut; torchvision's _make_layer uses the same rule."""
    downsample = None
    if stride != 1 or inplanes != planes * block.expansion:
        downsample = nn.Sequential(conv1x1(inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
    return block(inplanes, planes, stride, downsample)


class TorchvisionResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, in_channels=3, width_divisor=1):
        super().__init__()
        w1, w2, w3, w4 = (narrow(c, width_divisor) for c in (64, 128, 256, 512))
        self.inplanes = w1
        self.conv1 = nn.Conv2d(in_channels, w1, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, w1, layers[0])
        self.layer2 = self._make_layer(block, w2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, w3, layers[2], stride=2)
        self.layer4 = self._make_layer(block, w4, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w4 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        layers = [make_block(block, self.inplanes, planes, stride)]
        self.inplanes = planes * block.expansion
        layers += [make_block(block, self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class PreActResidual(nn.Module):
    """The seed's ModifiedResidualBlock (same attributes, same shortcut), with the forward of
    He et al. 2016, "Identity mappings": BN-ReLU-conv twice, then the sum with no ReLU after it.
    (The seed's forward skips the second ReLU and keeps a final one.)"""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride), nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        out = self.conv2(self.relu(self.bn2(out)))
        return out + self.shortcut(x)


class Inception(nn.Module):  # d2l 8.4
    def __init__(self, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


# ----------------------------------------------------------------------------- recording
M32 = np.uint64(0xFFFFFFFF)


def hash_uniform(n, stream):
    """n values in [-1, 1) from an integer hash (murmur3's fmix32) of (stream, index): exact in
    Python and in JavaScript (Math.imul), and not low-rank as sin(a j + b) weights would be
    (those make every layer rank 2 and train-mode batch norm ill-conditioned)."""
    h = (np.arange(n, dtype=np.uint64) + np.uint64((0x9E3779B9 * (stream + 1)) & 0xFFFFFFFF)) & M32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & M32
    h ^= h >> np.uint64(16)
    return torch.from_numpy(h.astype(np.float64) / 2.0**31 - 1.0)


def det_fill(model):
    """Deterministic weights, reproduced by test/models/det-fill.ts: for the k-th floating
    state-dict entry, s = hash_uniform(numel, k); weights of rank >= 2 get s * sqrt(3 / fan_in)
    (variance 1 / fan_in), 1-D "weight"s (batch-norm scales) 1 + 0.2 s, running_var 1 + 0.5 s^2,
    everything else (biases, running_mean) 0.1 s."""
    k = 0
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            s = hash_uniform(t.numel(), k)
            if t.dim() >= 2:
                v = s * math.sqrt(3 / (t.numel() / t.shape[0]))
            elif name.endswith("running_var"):
                v = 1 + 0.5 * s * s
            elif name.endswith("weight"):
                v = 1 + 0.2 * s
            else:
                v = 0.1 * s
            t.copy_(v.reshape(t.shape).to(t.dtype))
            k += 1


def det_input(shape):
    return hash_uniform(math.prod(shape), 1000).reshape(shape).float()


def materialize(model, shape):
    with torch.no_grad():
        model(torch.zeros(shape))
    return model


def facts(model, shape, container=None):
    """Parameter count, state-dict keys and the output shape of each child of `container`."""
    materialize(model, shape)
    container = container if container is not None else model
    layers = []
    hooks = [m.register_forward_hook(lambda m, i, o, n=n: layers.append([n, type(m).__name__, list(o.shape)]))
             for n, m in container.named_children()]
    with torch.no_grad():
        out = model(torch.zeros(shape))
    for h in hooks:
        h.remove()
    return {
        "input": list(shape),
        "output": list(out.shape),
        "params": sum(p.numel() for p in model.parameters()),
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "layers": layers,
    }


def values(model, shape, train=True):
    materialize(model, shape)
    det_fill(model)
    model.train(train)
    with torch.no_grad():
        out = model(det_input(shape))
        # The case must be well-conditioned: float64 gives the same output to float32 accuracy.
        ref = model.double()(det_input(shape).double())
    err = (out.double() - ref).abs().max().item() / max(1.0, ref.abs().max().item())
    assert err < 2e-5, f"{type(model).__name__} on {shape}: float32 and float64 differ by {err}"
    return {"input": list(shape), "train": train, "output": {"shape": list(out.shape), "data": [float(f"{v:.9g}") for v in out.reshape(-1).tolist()]}}


def main():
    resnet18 = lambda **kw: TorchvisionResNet(BasicBlock, [2, 2, 2, 2], **kw)
    resnet50 = lambda **kw: TorchvisionResNet(Bottleneck, [3, 4, 6, 3], **kw)
    vgg11 = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    narrow = tuple((n, c // 4) for n, c in vgg11)
    out = {
        "torch": torch.__version__,
        "facts": {
            "lectureLeNet": facts(LectureLeNet(), (1, 1, 32, 32)),
            "modernLeNet": facts(ModernLeNet(), (1, 1, 28, 28)),
            "improvedLeNet": facts(ImprovedLeNet(), (1, 1, 28, 28)),
            "d2lLeNet": facts(m := D2lLeNet(), (1, 1, 28, 28), m.net),
            "vgg11": facts(m := VGG(vgg11), (1, 1, 224, 224), m.net),
            "vgg11Narrow": facts(m := VGG(narrow), (1, 1, 224, 224), m.net),
            "nin": facts(m := NiN(), (1, 1, 224, 224), m.net),
            "d2lResnet18": facts(m := D2lResNet(((2, 64), (2, 128), (2, 256), (2, 512))), (1, 1, 96, 96), m.net),
            "resnet18": facts(resnet18(), (1, 3, 224, 224)),
            "resnet50": facts(resnet50(), (1, 3, 64, 64)),
            "bottleneck": facts(make_block(Bottleneck, 256, 64), (1, 256, 56, 56)),
            "preAct": facts(PreActResidual(64, 64), (1, 64, 56, 56)),
            "inception": facts(Inception(64, (48, 64), (64, 96), 32), (1, 3, 32, 32)),
        },
        "values": {
            "lectureLeNet": values(LectureLeNet(), (2, 1, 32, 32)),
            "modernLeNet": values(ModernLeNet(), (2, 1, 28, 28)),
            "improvedLeNet": values(ImprovedLeNet(), (2, 1, 28, 28)),
            "d2lLeNet": values(D2lLeNet(), (2, 1, 28, 28)),
            "vggSmall": values(VGG(((1, 4), (2, 8)), num_classes=5), (2, 1, 16, 16), train=False),
            "nin": values(NiN(), (1, 1, 96, 96), train=False),
            "residual": values(Residual(3), (4, 3, 6, 6)),
            "residual1x1": values(Residual(6, use_1x1conv=True, strides=2), (4, 3, 6, 6)),
            "d2lResnetSmall": values(D2lResNet(((1, 64), (1, 16)), num_classes=5), (2, 1, 16, 16)),
            "resnet18": values(resnet18(num_classes=5), (2, 3, 64, 64)),
            "resnet18Eval": values(resnet18(num_classes=5, in_channels=1), (2, 1, 32, 32), train=False),
            "bottleneck": values(make_block(Bottleneck, 8, 2), (2, 8, 6, 6)),
            "bottleneckStride2": values(make_block(Bottleneck, 8, 4, stride=2), (2, 8, 6, 6)),
            "preAct": values(PreActResidual(4, 4), (2, 4, 6, 6)),
            "preActStride2": values(PreActResidual(4, 6, stride=2), (2, 4, 6, 6)),
            "inception": values(Inception(2, (2, 3), (1, 2), 2), (2, 3, 5, 5)),
        },
    }
    path = os.path.join(HERE, "course-models.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path):,} bytes)")


if __name__ == "__main__":
    main()
