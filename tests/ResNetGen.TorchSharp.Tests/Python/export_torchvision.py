#!/usr/bin/env python3
"""Exports a torchvision ResNet from PyTorch for the TorchSharp tests (run with Debian's /usr/bin/python3).

Writes into OUT:
  ARCH.pth               torch.save(model.state_dict())             (read by TorchSharp.PyBridge load_py)
  ARCH.safetensors       the same, via scripts/python/safetensors_torch.py (read by load_safetensors)
  ARCH.io.safetensors    "input" [BATCH, 3, SIZE, SIZE] and PyTorch's eval "logits" for it

usage: export_torchvision.py ARCH OUT SCRIPTS_DIR [--seed S] [--batch B] [--size S]
"""
import argparse
import os
import sys

import torch
import torchvision


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("arch")
    parser.add_argument("out")
    parser.add_argument("scripts", help="folder holding safetensors_torch.py")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--size", type=int, default=96)
    args = parser.parse_args()

    sys.path.insert(0, args.scripts)
    import safetensors_torch as st

    torch.manual_seed(args.seed)
    model = getattr(torchvision.models, args.arch)()
    # torchvision's init leaves every batch norm at weight 1, bias 0, mean 0, var 1: a buffer or
    # affine parameter that failed to load would not change the logits. Make each one matter.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.8, 1.2)
                m.bias.uniform_(-0.1, 0.1)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.8, 1.2)
                m.num_batches_tracked.fill_(7)
        # Kaiming-initialised deep ResNets give logits near 100 on random input; trained ones give
        # about 10. Scale the classifier to the trained magnitude so that an absolute tolerance
        # means what it would with real weights (float32 agrees to ~1e-6 relative either way).
        head = model.fc if hasattr(model, "fc") else model.classifier  # ResNets: fc; DenseNets: classifier
        head.weight.mul_(0.1)
        head.bias.mul_(0.1)
    model.eval()
    x = torch.randn(args.batch, 3, args.size, args.size)
    with torch.no_grad():
        logits = model(x)

    os.makedirs(args.out, exist_ok=True)
    state = model.state_dict()
    torch.save(state, os.path.join(args.out, f"{args.arch}.pth"))
    st.save_file(state, os.path.join(args.out, f"{args.arch}.safetensors"))
    st.save_file({"input": x, "logits": logits}, os.path.join(args.out, f"{args.arch}.io.safetensors"))
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}: {args.arch} exported to {args.out}")


if __name__ == "__main__":
    main()
