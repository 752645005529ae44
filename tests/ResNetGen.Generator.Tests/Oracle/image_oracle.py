"""Reference numbers for the image-output networks (ImageOutputTests; run with /usr/bin/python3, torch 1.13).

Prints one JSON object: for each network, the parameter count and the output shape of a PyTorch
definition written here from the papers' official code, independently of the generator.

* EDSR (Lim et al. 2017; sanghyun-son/EDSR-PyTorch, common.py): default_conv(in, out, k) =
  nn.Conv2d(in, out, k, padding=k//2, bias=True); ResBlock = conv, ReLU, conv, + x (res_scale 1);
  Upsampler(scale): for 2^m, m times [conv(F, 4F, 3), PixelShuffle(2)]; for 3, [conv(F, 9F, 3), PixelShuffle(3)].
* MSRN (Li et al. 2018; MIVRC/MSRN-PyTorch, msrn.py): head = conv(3, F, 3); x = head(x); res = x;
  outs = [b(x) chained over the blocks] + [res]; tail = [Conv2d(F * (n + 1), F, 1), conv(F, F, 3),
  Upsampler, conv(F, 3, 3)] applied to torch.cat(outs, 1).
* MSRN itself: the same layout with MSRB blocks (branch_oracle.MSRB, written from the authors' code), 64
  channels, 8 blocks, x2 / x3 / x4. The authors' MeanShift layers are fixed (requires_grad = False) data
  normalisation and are left out of the definition; "params" counts what is trained.
* torchvision's BasicBlock (conv-BN-ReLU-conv-BN, + x, ReLU; convs without bias) for the forms that use it.
"""
import json
import sys

import torch
import torch.nn as nn

from branch_oracle import MSRB


def default_conv(cin, cout, k, bias=True):
    return nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias)


class EdsrResBlock(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.body = nn.Sequential(default_conv(f, f, 3), nn.ReLU(True), default_conv(f, f, 3))

    def forward(self, x):
        return self.body(x) + x


class BasicBlock(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(f, f, 3, padding=1, bias=False), nn.BatchNorm2d(f), nn.ReLU(True),
                                  nn.Conv2d(f, f, 3, padding=1, bias=False), nn.BatchNorm2d(f))

    def forward(self, x):
        return torch.relu(self.body(x) + x)


def upsampler(scale, f, k=3, bias=True, filters=0):
    layers = []
    if scale & (scale - 1) == 0:
        steps = [2] * (scale.bit_length() - 1)
    else:
        steps = [scale]
    for r in steps:
        out = filters or f * r * r
        layers += [default_conv(f, out, k, bias), nn.PixelShuffle(r)]
        f = out // (r * r)
    return nn.Sequential(*layers), f


class SuperResolution(nn.Module):
    """head conv -> blocks -> [MSRN fusion] -> [conv F,F] -> upsampler -> conv to out channels."""

    def __init__(self, cin, f, blocks, scale, fusion, leading=True, out=None, block=EdsrResBlock,
                 stem_bn=False, tail_bias=True, filters=0):
        super().__init__()
        self.head = nn.Sequential(default_conv(cin, f, 3, bias=not stem_bn),
                                  *([nn.BatchNorm2d(f), nn.ReLU(True)] if stem_bn else []))
        self.body = nn.ModuleList([block(f) for _ in range(blocks)])
        self.fusion = nn.Conv2d(f * (blocks + 1), f, 1) if fusion else None
        up, c = upsampler(scale, f, bias=tail_bias, filters=filters)
        tail = ([default_conv(f, f, 3, tail_bias)] if leading else []) + [up, default_conv(c, out or cin, 3, tail_bias)]
        self.tail = nn.Sequential(*tail)

    def forward(self, x):
        x = self.head(x)
        res = x
        outs = []
        for b in self.body:
            x = b(x)
            outs.append(x)
        if self.fusion is not None:
            outs.append(res)
            x = self.fusion(torch.cat(outs, 1))
        return self.tail(x)


NETWORKS = {
    # The zoo (samples/ResNetGen.Zoo/Literature.Image.cs).
    "fused_edsr_x2": (lambda: SuperResolution(3, 64, 8, 2, fusion=True), (3, 48)),
    "edsr_like_x3": (lambda: SuperResolution(3, 32, 4, 3, fusion=False, leading=False), (3, 16)),
    # MSRN (Li et al. 2018) at its training patch size, 48x48 low-resolution pixels.
    "msrn_x2": (lambda: SuperResolution(3, 64, 8, 2, fusion=True, block=lambda f: MSRB(f, f)), (3, 48)),
    "msrn_x3": (lambda: SuperResolution(3, 64, 8, 3, fusion=True, block=lambda f: MSRB(f, f)), (3, 48)),
    "msrn_x4": (lambda: SuperResolution(3, 64, 8, 4, fusion=True, block=lambda f: MSRB(f, f)), (3, 48)),
    # The snapshot forms (ImageOutputSnapshotTests.Forms).
    "FusionReconstructionX2": (lambda: SuperResolution(3, 64, 4, 2, fusion=True), (3, 48)),
    "ReconstructionX3NoFusion": (lambda: SuperResolution(1, 32, 2, 3, fusion=False, leading=False), (1, 12)),
    "ReconstructionX4Filters": (lambda: SuperResolution(1, 16, 2, 4, fusion=False, out=3, block=BasicBlock, stem_bn=True,
                                                        filters=128), (1, 16)),
}


# ResNetGen names a custom block's convolutions conv1..conv5 in attribute order: MSRB's S1, P1, S2, P2, fusion.
MSRB_CONVS = {"conv1": "s1", "conv2": "p1", "conv3": "s2", "conv4": "p2", "conv5": "fuse"}


def our_key_to_oracle(key, leading, steps, msrb=False):
    """ResNetGen's state_dict key -> this file's: conv1 -> head.0, layer1.i.convN -> body.i.body.(0|2),
    fusion -> fusion, reconstruction.k -> tail.[0 | 1.j | 2] (the leading conv, the upsampler, the last conv)."""
    parts = key.split(".")
    if parts[0] == "conv1":
        return "head.0." + parts[-1]
    if parts[0] == "layer1" and msrb:
        return f"body.{parts[1]}.{MSRB_CONVS[parts[2]]}.{parts[3]}"
    if parts[0] == "layer1":
        return f"body.{parts[1]}.body.{0 if parts[2] == 'conv1' else 2}.{parts[3]}"
    if parts[0] == "reconstruction":
        k = int(parts[1])
        first = 1 if leading else 0
        if leading and k == 0:
            return "tail.0." + parts[2]
        if k < first + 2 * steps:
            return f"tail.{first}.{k - first}.{parts[2]}"
        return f"tail.{first + 1}.{parts[2]}"
    return key


def compare(path, scripts):
    """Loads ResNetGen's weights, input and output (one safetensors file) into this file's definition and
    prints the largest difference of the outputs."""
    sys.path.insert(0, scripts)
    import safetensors_torch as st
    tensors, metadata = st.load_file(path, with_metadata=True)
    name = metadata["name"]
    x, y = tensors.pop("__input"), tensors.pop("__output")
    make, _ = NETWORKS[name]
    model = make().eval()
    leading = any(k.startswith("tail.0.weight") for k in model.state_dict())
    steps = sum(1 for m in model.modules() if isinstance(m, nn.PixelShuffle))
    msrb = isinstance(model.body[0], MSRB)
    model.load_state_dict({our_key_to_oracle(k, leading, steps, msrb): v for k, v in tensors.items()}, strict=True)
    with torch.no_grad():
        ours = model(x)
    print(json.dumps({"max_abs_diff": (ours - y).abs().max().item(), "max_abs": y.abs().max().item()}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
        return
    torch.manual_seed(0)
    result = {}
    with torch.no_grad():
        for name, (make, (cin, size)) in NETWORKS.items():
            model = make().eval()
            y = model(torch.randn(2, cin, size, size))
            result[name] = {"params": sum(p.numel() for p in model.parameters()), "input": [2, cin, size, size], "output": list(y.shape)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
