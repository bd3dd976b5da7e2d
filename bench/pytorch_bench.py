#!/usr/bin/env python3
"""PyTorch's side of `npm run bench`: the benchmark's workloads (bench/src/workloads.ts) with the
seed's LeNet-5 classes (pytorch_eval_checkpoint.py) and the homework's logistic regression
(pytorch_logreg.py), on the same MNIST images, and the course's networks (course_models.py) on
random batches, timed by the same rules as bench/src/measure.ts (each workload's plan comes in
the spec).
The orchestrator (bench/src/run.ts) runs it once per thread setting and picks the best figure:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_bench.py '<RunnerSpec JSON>'

It prints one JSON line (bench/src/protocol.ts RunnerResult) on stdout, progress on stderr.
"""
import json, os, resource, sys, time

def result(obj):
    print(json.dumps(obj), flush=True)

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # a missing peer is reported, never skipped silently
    result({"status": "missing", "reason": f"{e} (apt-get install python3-torch)", "results": {}})
    sys.exit(0)

from pytorch_eval_checkpoint import LeNet, idx
from pytorch_logreg import logistic
import course_models

TRAIN_IMAGES, LOGREG_IMAGES = 1000, 2000  # as bench/src/data.ts

def load():
    images = torch.tensor(idx("train-images-idx3-ubyte")[:10000], dtype=torch.float32).unsqueeze(1) / 255.0
    labels = torch.tensor(idx("train-labels-idx1-ubyte")[:10000].astype(np.int64))
    keep = ((labels == 4) | (labels == 9)).nonzero().view(-1)[:LOGREG_IMAGES]
    lx = images[keep].view(-1, 784)
    ly = torch.where(labels[keep] == 4, -1.0, 1.0)
    return images[:TRAIN_IMAGES], labels[:TRAIN_IMAGES], lx, ly

def measure(step, plan):
    """Warm up, then rounds of at least roundSeconds; the best round's seconds per iteration.
    With warmupSteps: that many untimed steps, then `rounds` rounds of one step each."""
    if plan.get("warmupSteps") is not None:
        for _ in range(plan["warmupSteps"]):
            step()
        times = []
        for _ in range(max(1, plan["rounds"])):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        return {"secondsPerIter": min(times), "rounds": times, "iters": len(times)}
    budget = 2 * plan["rounds"] * plan["roundSeconds"]
    start = time.perf_counter()
    step()
    first = time.perf_counter() - start
    if first >= budget:  # one iteration longer than the budget is the measurement
        return {"secondsPerIter": first, "rounds": [first], "iters": 1}
    while time.perf_counter() - start < plan["warmupSeconds"]:
        step()
    rounds, total, iters = [], 0.0, 0
    while len(rounds) < plan["rounds"] and (not rounds or total < budget):
        t0, n = time.perf_counter(), 0
        while True:
            step()
            n += 1
            if time.perf_counter() - t0 >= plan["roundSeconds"]:
                break
        elapsed = time.perf_counter() - t0
        rounds.append(elapsed / n)
        total += elapsed
        iters += n
    return {"secondsPerIter": min(rounds), "rounds": rounds, "iters": iters}

def cycle(items):
    state = {"i": 0}
    def nxt():
        item = items[state["i"] % len(items)]
        state["i"] += 1
        return item
    return nxt

def setups():
    loaded = []
    def data():  # read on first use: a course row's process (its peak RSS is the row's) never loads MNIST
        if not loaded:
            loaded.append(load())
        return loaded[0]
    def train(full):
        def setup(w):
            torch.manual_seed(0)
            images, labels, _, _ = data()
            model = LeNet(full).train()
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            nxt = cycle([(images[i:i + 100], labels[i:i + 100]) for i in range(0, len(labels), 100)])
            def step():
                x, y = nxt()
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
            return step
        return setup
    def infer(full, n):
        def setup(w):
            images = data()[0]
            model = LeNet(full).eval()
            nxt = cycle([images[i:i + n] for i in range(0, min(len(images), 100 * n), n)])
            def step():
                with torch.no_grad():
                    model(nxt())
            return step
        return setup
    def logreg(w):
        _, _, lx, ly = data()
        model = torch.nn.Linear(784, 1, bias=False)
        opt = torch.optim.SGD(model.parameters(), lr=255e-4)
        nxt = cycle([(lx[i:i + 1], ly[i:i + 1]) for i in range(len(ly))])
        def step():
            x, y = nxt()
            opt.zero_grad()
            logistic(model(x).view(-1), y).sum().backward()
            opt.step()
        return step
    def gemm(w):
        M, N, K = w["gemm"]["M"], w["gemm"]["N"], w["gemm"]["K"]
        a, b = torch.rand(M, K) * 2 - 1, torch.rand(K, N) * 2 - 1
        c = torch.empty(M, N)
        return lambda: torch.mm(a, b, out=c)
    def course(w):
        c = w["course"]
        torch.manual_seed(0)
        model = course_models.build(c).train()
        x = torch.randn(c["batch"], *c["input"])
        if c["optimizer"] is None:  # forward + backward of a block inside a network: its input's gradient too
            with torch.no_grad():
                dy = torch.randn(model(x).shape)
            x.requires_grad_()
            def block_step():
                model.zero_grad()
                x.grad = None
                model(x).backward(dy)
            return block_step
        y = torch.randint(0, 10, (c["batch"],))
        make = torch.optim.Adam if c["optimizer"]["name"] == "adam" else torch.optim.SGD
        opt = make(model.parameters(), lr=c["optimizer"]["lr"])
        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step
    return {"train-full": train(True), "train-sparse": train(False), "infer-full": infer(True, 1000),
            "infer-sparse": infer(False, 1000), "latency": infer(True, 1), "logreg": logreg, "gemm": gemm,
            "course": course}

def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(int(spec["settings"]["threads"]))
    table = setups()
    results = {}
    for w in spec["workloads"]:
        setup = table.get(w["id"]) or (table["gemm"] if "gemm" in w else table["course"] if "course" in w else None)
        try:
            results[w["id"]] = measure(setup(w), spec["plans"][w["id"]])
            # ru_maxrss is in kilobytes on Linux: the process's high-water mark
            results[w["id"]]["peakRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            value = results[w["id"]]["secondsPerIter"]
            shown = f"{value * 1000:.4g} ms" if w["kind"] == "latency" else f"{w['work'] / value:.4g} {w['unit']}"
        except Exception as e:  # reported in the table, the other workloads still run
            results[w["id"]] = {"error": f"{type(e).__name__}: {e}"}
            shown = results[w["id"]]["error"]
        print(f"  {spec['label']}: {w['id']} {shown}", file=sys.stderr, flush=True)
    blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    if "openblas" not in blas:
        # NOTE: python3-torch alone can leave Debian's reference BLAS in place: torch.mm and the
        # Linear layers then run ~15x slower (6 against 98 GFLOP/s at 1024^3 measured here)
        print(f"  warning: PyTorch's BLAS is {blas}, not OpenBLAS: its GEMM and fully connected layers are slow;"
              " apt-get install libopenblas0-pthread", file=sys.stderr, flush=True)
    result({"status": "ok", "version": torch.__version__, "results": results,
            "settings": {"threads": torch.get_num_threads(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
                         "blas": blas if os.path.exists(blas) else "unknown"}})

if __name__ == "__main__":
    main()
