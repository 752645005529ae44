"""The PyTorch side of bench/dist: the same network (--network twoblock: TwoBlockResNet, 16x16
inputs, width 16; --network resnet20: ResNet-20 on 1x28x28, channels-last, as
bench/peers/pytorch_train.py), the same global batch, SGD, with torch.distributed over gloo on
127.0.0.1.

  python3 torch_peer.py single --threads N [--steps S --batch B --width W]
  python3 torch_peer.py ddp    --nproc 2   [--steps S --batch B --width W]   # 2 processes x 1 thread

ddp runs two ways: PyTorch's DistributedDataParallel (buckets all-reduced during backward) and a
plain loop that all-reduces the flattened gradients after backward (what ResNetGen does today).
"""
import argparse
import os
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))


class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inp != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class TwoBlockResNet(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.block1 = BasicBlock(width, width, 1)
        self.block2 = BasicBlock(width, width * 2, 2)
        self.fc = nn.Linear(width * 2, 4)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        x = self.block2(self.block1(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make_model(args):
    if args.network == "resnet20":
        from pytorch_train import ResNet20
        return ResNet20().to(memory_format=torch.channels_last)
    return TwoBlockResNet(args.width)


def run(model, step_fn, batch, steps, warmup, barrier=lambda: None, network="twoblock"):
    torch.manual_seed(0)
    if network == "resnet20":
        data = [(torch.rand(batch, 1, 28, 28).contiguous(memory_format=torch.channels_last), torch.randint(0, 10, (batch,)))
                for _ in range(4)]
    else:
        data = [(torch.rand(batch, 1, 16, 16), torch.randint(0, 4, (batch,))) for _ in range(4)]
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for i in range(-warmup, steps):
        if i == 0:
            barrier()
            start = time.perf_counter()
        x, y = data[(i + warmup) % len(data)]
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        step_fn(model)
        opt.step()
    barrier()
    return time.perf_counter() - start


def worker(rank, world, port, args, kind):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    model = make_model(args)
    batch = args.batch // world
    if kind == "ddp":
        model = nn.parallel.DistributedDataParallel(model)
        step = lambda m: None
    else:
        for p in model.parameters():
            dist.broadcast(p.data, 0)

        def step(m):
            grads = [p.grad for p in m.parameters()]
            flat = torch.cat([g.reshape(-1) for g in grads])
            dist.all_reduce(flat)
            flat.div_(world)
            off = 0
            for g in grads:
                g.copy_(flat[off:off + g.numel()].view_as(g))
                off += g.numel()
    seconds = run(model, step, batch, args.steps, args.warmup, dist.barrier, args.network)
    if rank == 0:
        label = "DistributedDataParallel" if kind == "ddp" else "all-reduce after backward"
        print(f"pytorch {torch.__version__}: {world} processes x 1 thread, {label}, global batch {args.batch}: "
              f"{args.batch * args.steps / seconds:.1f} img/s ({seconds / args.steps * 1000:.1f} ms/step)", flush=True)
    dist.destroy_process_group()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["single", "ddp"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--nproc", type=int, default=2)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--network", choices=["twoblock", "resnet20"], default="twoblock")
    args = ap.parse_args()
    if args.mode == "single":
        torch.set_num_threads(args.threads)
        torch.manual_seed(0)
        seconds = run(make_model(args), lambda m: None, args.batch, args.steps, args.warmup, network=args.network)
        print(f"pytorch {torch.__version__}: 1 process x {args.threads} thread(s), global batch {args.batch}: "
              f"{args.batch * args.steps / seconds:.1f} img/s ({seconds / args.steps * 1000:.1f} ms/step)", flush=True)
    else:
        for kind in ("ddp", "flat"):
            mp.spawn(worker, args=(args.nproc, free_port(), args, kind), nprocs=args.nproc, join=True)


if __name__ == "__main__":
    main()
