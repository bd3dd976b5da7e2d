#!/usr/bin/env python3
"""d2l chapter 8's training runs in PyTorch, with the recipe `torchlet train d2l-resnet18` and
`torchlet train vgg11` use, so the two frameworks can be set side by side (issue 14, item 6).

    /usr/bin/python3 bench/d2l_chapter8.py resnet18|vgg11 [--epochs N] [--limit N] [--test-limit N]
                                          [--threads N] [--seed N] [--data-dir dir] [--log-every N]

    # the torchlet side of the same runs (from a built tree):
    node dist/cli/main.js train d2l-resnet18 [--epochs N] [--limit N] [--test-limit N] [--threads N] [--seed N]
    node dist/cli/main.js train vgg11        [--epochs N] [--limit N] [--test-limit N] [--threads N] [--seed N]

The recipe (src/train/recipes.ts, plans.ts, loop.ts, cli/commands/train.ts; d2l 8.2 and 8.6):
  data       Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, the
             four IDX files, plain or .gz, read here; nothing is downloaded), bytes / 255, no normalisation;
             --limit / --test-limit keep the first N images of each split, as torchlet's.
  resize     torchvision's Resize on tensors: bilinear, align_corners False, antialias off, applied per
             batch inside the timed loop (as torchlet's batchable transform), to 96x96 (resnet18) or
             224x224 (vgg11).
  models     the golden tests' PyTorch classes (test/golden/generate_course_models.py via bench/course_models.py,
             the definitions torchlet's models are tested to match): d2l's ResNet-18 (11,178,378
             parameters) and d2l's VGG-11 with channels / 4 ((1,16),(1,32),(2,64),(2,128),(2,128)),
             Lazy layers shaped by one forward pass on a zero image in eval mode, then d2l's init_cnn
             (Xavier-uniform weights of every Conv2d and Linear; biases keep PyTorch's default init).
  training   plain SGD lr 0.01 (no momentum, no weight decay), batch 128, cross-entropy (mean), 10
             epochs, reshuffled every epoch (torch.randperm after torch.manual_seed(seed), seed 0 by
             default; torchlet's generator differs, so the two runs agree in distribution, not in bits).
  test       after every epoch, model.eval(), the test split in order in batches of 128; test loss is
             the mean of the per-batch losses, as torchlet's epoch line; the closing [Test set] line
             is torchlet's (sum of per-batch mean losses / images).

Output, as `torchlet train` prints it, plus train accuracy and the test pass's seconds:
  epoch 1/10  train loss L  train acc A%  test loss L  test acc A%  R img/s  S s  (test T s)  peak RSS M MB
img/s and seconds cover the training steps only (batch assembly and resize included, the test pass
not), as torchlet's; peak RSS is the highest resident set during the epoch and its test pass, in MB of
2^20 bytes (VmHWM, reset at each epoch's start where the kernel allows it; else the run's peak so far).
Threads: --threads N sets torch.set_num_threads (default: one per core, as torchlet's default).

Where this recipe differs from the d2l book's own runs (d2l.Trainer, d2l.FashionMNIST):
  - d2l resizes the PIL uint8 images (PIL bilinear, rounded back to uint8 before ToTensor); here and in
    torchlet the float tensor is resized. Upsampling 28 -> 96/224, PIL's bilinear and torch's
    interpolate weight the same pixels, so only the uint8 rounding (<= 0.5/255) differs.
  - d2l's apply_init runs its shape pass on a real training batch in training mode (ResNet's batch-norm
    running statistics take one step from it, and the loader is drawn once); here and in torchlet the
    pass is on zeros in eval mode.
  - d2l trains on a GPU (num_gpus=1) with 4 loader workers; d2l reports the validation loss and accuracy
    (averaged per batch) and no training accuracy.
"""
import argparse
import gzip
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# NOTE: importing it sets torch's thread count to 1 (generate_course_models.py); main() sets --threads after.
from course_models import build  # noqa: E402

FASHION_MNIST_ROOT = "/usr/share/datasets/fashion-mnist"
SPLITS = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

# torchlet's zoo names and recipes (src/train/recipes.ts); the names d2l's classes go by.
MODELS = {
    "resnet18": {"zoo": "d2l-resnet18", "title": "d2l 8.6 ResNet-18", "course": {"model": "d2l-resnet18", "input": [1, 96, 96]},
                 "resize": 96, "lr": 0.01, "batch": 128, "epochs": 10},
    "vgg11": {"zoo": "vgg11", "title": "d2l 8.2 VGG-11, width / 4", "course": {"model": "vgg11", "widthDivisor": 4, "input": [1, 224, 224]},
              "resize": 224, "lr": 0.01, "batch": 128, "epochs": 10},
}


def find_idx(root, name):
    """root/name or root/name.gz, then torchvision's layout root/FashionMNIST/raw/, as torchlet's findIdxFile."""
    dirs = [root, os.path.join(root, "FashionMNIST", "raw")]
    candidates = [os.path.join(d, n) for d in dirs for n in (name, name + ".gz")]
    for path in candidates:
        if os.path.exists(path):
            return path
    sys.exit(f"Fashion-MNIST: {name} not found; searched:\n  " + "\n  ".join(candidates) +
             "\nInstall it with `sudo apt-get install dataset-fashion-mnist` or pass --data-dir.")


def read_idx(path):
    """An IDX file (plain or gzip) as a uint8 numpy array of its dims."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"{path}: not an IDX file of unsigned bytes (magic {raw[:4].hex()})")
    nd = raw[3]
    dims = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
    data = np.frombuffer(raw, np.uint8, offset=4 + 4 * nd)
    if data.size != int(np.prod(dims)):
        sys.exit(f"{path}: {data.size} bytes of data for dims {dims}")
    return data.reshape(dims)


def load_split(root, train, limit):
    """(uint8 images (N, 1, 28, 28), int64 labels (N,)) of the first `limit` examples."""
    images, labels = (read_idx(find_idx(root, n)) for n in SPLITS[train])
    n = len(labels) if limit is None else min(limit, len(labels))
    return torch.from_numpy(images[:n].copy()).unsqueeze(1), torch.from_numpy(labels[:n].astype(np.int64))


def resize(x, side):
    """torchvision's Resize((side, side)) on a float batch, antialias off (= F.interpolate bilinear)."""
    try:
        import torchvision.transforms.functional as TF
        from torchvision.transforms import InterpolationMode
        return TF.resize(x, [side, side], interpolation=InterpolationMode.BILINEAR, antialias=False)
    except ImportError:
        return F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)


def batch(images, labels, idx, side):
    x = images[idx].to(torch.float32).div_(255)
    return resize(x, side), labels[idx]


def rss_reset():
    """Starts a new peak-RSS window (Linux >= 4.0); False where the kernel refuses it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_peak_mb():
    """VmHWM: the highest resident set since the process started or the last rss_reset(), in MB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train_epoch(model, opt, images, labels, side, batch_size, label, log_every):
    model.train()
    n = len(labels)
    steps = (n + batch_size - 1) // batch_size
    order = torch.randperm(n)
    loss_sum, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = batch(images, labels, order[(step - 1) * batch_size:step * batch_size], side)
        opt.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        value = loss.item()
        if not np.isfinite(value):
            sys.exit(f"{label}: the loss became {value} at step {step}; training stopped (try a smaller learning rate)")
        correct += int((out.argmax(1) == y).sum())
        loss.backward()
        opt.step()
        loss_sum += value
        seen += len(y)
        if log_every and (step % log_every == 0 or step == steps):
            print(f"{label} {step}/{steps} loss {value:.4f} {seen / (time.perf_counter() - start):.0f} img/s", flush=True)
    seconds = time.perf_counter() - start
    return {"loss": loss_sum / max(steps, 1), "accuracy": correct / max(seen, 1), "seconds": seconds, "images_per_second": seen / seconds}


def evaluate(model, images, labels, side, batch_size):
    model.eval()
    loss_sum, correct, batches = 0.0, 0, 0
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(labels), batch_size):
            x, y = batch(images, labels, torch.arange(i, min(i + batch_size, len(labels))), side)
            out = model(x)
            loss_sum += F.cross_entropy(out, y).item()
            correct += int((out.argmax(1) == y).sum())
            batches += 1
    model.train()
    total = len(labels)
    return {"loss": loss_sum / max(batches, 1), "seed_average_loss": loss_sum / total, "correct": correct, "total": total,
            "accuracy": correct / total, "seconds": time.perf_counter() - start}


def main():
    p = argparse.ArgumentParser(description="d2l chapter 8 (VGG-11 / 4 at 224, ResNet-18 at 96) on Fashion-MNIST in PyTorch, torchlet's recipe.")
    p.add_argument("model", choices=sorted(MODELS))
    p.add_argument("--epochs", type=int, help="default: the recipe's 10")
    p.add_argument("--limit", type=int, help="train on the first N training images only")
    p.add_argument("--test-limit", type=int, help="evaluate on the first N test images only")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch.set_num_threads (default: one per core)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, help="default: the recipe's 128")
    p.add_argument("--lr", type=float, help="default: the recipe's 0.01")
    p.add_argument("--data-dir", default=FASHION_MNIST_ROOT, help=f"the Fashion-MNIST IDX files (default {FASHION_MNIST_ROOT})")
    p.add_argument("--log-every", type=int, default=10, help="a step line every N steps (0: none)")
    a = p.parse_args()
    m = MODELS[a.model]
    epochs, batch_size, lr = a.epochs or m["epochs"], a.batch_size or m["batch"], a.lr or m["lr"]
    for name, v in (("epochs", epochs), ("batch-size", batch_size), ("threads", a.threads), ("limit", a.limit), ("test-limit", a.test_limit)):
        if v is not None and v < 1:
            p.error(f"--{name} must be a positive integer, got {v}")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_x, train_y = load_split(a.data_dir, True, a.limit)
    test_x, test_y = load_split(a.data_dir, False, a.test_limit)
    model = build(m["course"])
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    side = m["resize"]
    params = sum(t.numel() for t in model.parameters())
    tests = "" if a.test_limit is None else f", {len(test_y)} test images"
    print(f"{m['zoo']}: {m['title']}; {params} parameters, input 1x{side}x{side}, sgd lr {lr}, batch {batch_size}, "
          f"{len(train_y)} training images{tests} (Fashion-MNIST), seed {a.seed}")
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, CPU; data {a.data_dir}", flush=True)

    last = None
    run_peak = rss_peak_mb()  # loading and model building; clear_refs below lowers getrusage's maxrss too
    run_start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        label = f"epoch {epoch}/{epochs}"
        windowed = rss_reset()
        s = train_epoch(model, opt, train_x, train_y, side, batch_size, label, a.log_every)
        last = evaluate(model, test_x, test_y, side, batch_size)
        peak = rss_peak_mb()
        run_peak = max(run_peak, peak)
        print(f"{label}  train loss {s['loss']:.4f}  train acc {100 * s['accuracy']:.2f}%  test loss {last['loss']:.4f}  "
              f"test acc {100 * last['accuracy']:.2f}%  {s['images_per_second']:.1f} img/s  {s['seconds']:.1f}s  "
              f"(test {last['seconds']:.1f}s)  peak RSS {peak:.0f} MB{'' if windowed else ' (run so far)'}", flush=True)
    total = time.perf_counter() - run_start
    print(f"total {total:.1f}s for {epochs} epoch(s) with test passes; peak RSS of the run {run_peak:.0f} MB")
    print(f"[Test set] Average loss: {last['seed_average_loss']:.4f}, Accuracy: {last['correct']}/{last['total']} "
          f"({100 * last['accuracy']:.2f}%)")


if __name__ == "__main__":
    main()
