#!/usr/bin/env python3
"""Continues training a torchlet LeNet-5 checkpoint in PyTorch with DistributedDataParallel, one
process per GPU (or per CPU worker), and writes the result back as safetensors that torchlet
reads (`torchlet eval`, `torchlet export`). The same weights, the homework's PyTorch class
(bench/pytorch_eval_checkpoint.py's LeNet), SGD as the homework (lr 0.1, batch 100 per process).

    torchrun --nproc_per_node 2 bench/pytorch_ddp_train.py runs/lenet5-sparse.safetensors --epochs 1 --out runs/lenet5-ddp.safetensors
    torchrun --nnodes 2 --node_rank 0 --master_addr HOST --master_port 29500 --nproc_per_node 8 bench/pytorch_ddp_train.py ...  # each node

Backend: NCCL on GPUs, gloo on CPUs (checked here with gloo on 2 CPU processes). --limit N trains
on the first N training images (a quick check).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_eval_checkpoint import LeNet, idx, read_safetensors  # noqa: E402


def write_safetensors(path, state_dict, metadata):
    """safetensors by hand (Debian has no python3-safetensors): a JSON header, then the F32 data."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in state_dict.items():
        b = t.detach().cpu().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)  # the format pads the header to 8 bytes
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    os.replace(tmp, path)


def mnist(train, limit=None):
    prefix = "train" if train else "t10k"
    x = torch.tensor(idx(f"{prefix}-images-idx3-ubyte"), dtype=torch.float32).unsqueeze(1) / 255.0
    y = torch.tensor(idx(f"{prefix}-labels-idx1-ubyte").astype(np.int64))
    return TensorDataset(x[:limit], y[:limit])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=100, help="per process")
    p.add_argument("--limit", type=int, default=None)
    a = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")  # torchrun sets RANK, WORLD_SIZE, MASTER_ADDR
    rank, world, local = dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)

    sd, meta = read_safetensors(a.checkpoint)
    model = LeNet(full=any("conv_layer" in k for k in sd))
    model.load_state_dict(sd)  # strict: torchlet's keys are the PyTorch class's
    ddp = DistributedDataParallel(model.to(device), device_ids=[local] if cuda else None)
    opt = torch.optim.SGD(ddp.parameters(), lr=a.lr)
    train = mnist(True, a.limit)
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=a.batch_size, sampler=sampler)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(1, a.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle per epoch, the same on every process
        ddp.train()
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(ddp(x.to(device)), y.to(device))
            loss.backward()  # DDP averages the gradients over all processes here
            opt.step()
        if rank == 0:
            test = mnist(False)
            model.eval()
            with torch.no_grad():
                x, y = test.tensors
                out = model(x.to(device))
                correct = (out.argmax(1).cpu() == y).sum().item()
                test_loss = loss_fn(out, y.to(device)).item()
            print(f"epoch {epoch}: {world} processes ({'NCCL' if cuda else 'gloo'}), last train loss {loss.item():.4f}; "
                  f"[Test set] Average loss: {test_loss / 100:.4f}, Accuracy: {correct}/{len(y)} ({100.0 * correct / len(y):.2f}%)", flush=True)

    if rank == 0:
        write_safetensors(a.out, model.state_dict(), {**meta, "trainedWith": f"pytorch-ddp-{world}"})
        print(f"wrote {a.out}: loads in torchlet (torchlet eval {a.out})", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
