"""Reference numbers for BranchTests (run with /usr/bin/python3, torch 1.13).

Prints one JSON object: for each network, the parameter count of a PyTorch definition written here
from the papers, independently of the generator.

* MSRB, the multi-scale residual block of MSRN (Li, Fang, Mei, Zhang, "Multi-scale Residual Network
  for Image Super-Resolution", ECCV 2018, section 3.1; the authors' code MIVRC/MSRN-PyTorch): with
  n channels, S1 = ReLU(conv3x3(x)) and P1 = ReLU(conv5x5(x)) (n -> n), concatenated (2n);
  S2 = ReLU(conv3x3) and P2 = ReLU(conv5x5) of that (2n -> 2n), concatenated (4n); a 1x1 conv back
  to n, added to x, no activation after the add. Every conv has a bias, padding k // 2, no BN.
  "msrb_net": a classifier for 28x28 grayscale images built from it: a 3x3 conv (no bias) to 32, BN,
  ReLU; two MSRBs at 32 channels; one MSRB at 64 channels whose branches' first convs stride 2, its
  input carried by a 1x1 strided conv (no bias) + BN; global average pool; a linear layer to 10.
  "msrb_block64": one MSRB at n = 64, as in MSRN.
  "msrb_forward": the output of one MSRB at n = 4 (no shortcut module) for a 1x4x5x5 input, every
  parameter in registration order (s1, p1, s2, p2, fuse; weight then bias) filled with
  0.2 sin(0.37 k + i) (k = element index, i = parameter index), the input with cos(0.11 k).
* "two_path_net": blocks of two paths summed (conv3x3-BN-ReLU-conv3x3, and the same with the first
  conv dilated 2), then BN, plus the input (a 1x1 strided conv + BN where the shape changes), ReLU;
  both paths' first convs take the stride. 3x3 conv 3 -> 16, BN, ReLU; one block of 16; two of 32,
  stride 2; global pool; linear to 10.
* A pre-activation Wide-ResNet-like network (Zagoruyko and Komodakis 2016; He et al. 2016, v2):
  3x3 conv 3 -> 16 (no BN, the first block pre-activates); stage 1: two blocks of 32, stage 2: two
  blocks of 64, stride 2; a block is BN-ReLU-conv3x3(stride)-BN-ReLU-conv3x3, a 1x1 conv (no bias, no
  BN) from the pre-activated input where the shape changes; final BN-ReLU, global pool, linear to 10.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class MSRB(nn.Module):
    def __init__(self, cin, n, stride=1):
        super().__init__()
        self.s1 = nn.Conv2d(cin, n, 3, stride, 1)
        self.p1 = nn.Conv2d(cin, n, 5, stride, 2)
        self.s2 = nn.Conv2d(2 * n, 2 * n, 3, 1, 1)
        self.p2 = nn.Conv2d(2 * n, 2 * n, 5, 1, 2)
        self.fuse = nn.Conv2d(4 * n, n, 1)
        self.carry = None
        if stride != 1 or cin != n:
            self.carry = nn.Sequential(nn.Conv2d(cin, n, 1, stride, bias=False), nn.BatchNorm2d(n))

    def forward(self, x):
        a = torch.cat([F.relu(self.s1(x)), F.relu(self.p1(x))], 1)
        b = torch.cat([F.relu(self.s2(a)), F.relu(self.p2(a))], 1)
        return self.fuse(b) + (x if self.carry is None else self.carry(x))


class MsrbNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.blocks = nn.Sequential(MSRB(32, 32), MSRB(32, 32), MSRB(32, 64, stride=2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1).flatten(1))


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.n1 = nn.BatchNorm2d(cin)
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.n2 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.short = nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        o = F.relu(self.n1(x))
        y = self.c2(F.relu(self.n2(self.c1(o))))
        return y + (x if self.short is None else self.short(o))


class PreActWide(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.blocks = nn.Sequential(PreActBlock(16, 32, 1), PreActBlock(32, 32, 1), PreActBlock(32, 64, 2), PreActBlock(64, 64, 1))
        self.norm = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(F.relu(self.norm(self.blocks(self.stem(x)))), 1).flatten(1))


class TwoPath(nn.Module):
    def __init__(self, cin, c, stride):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(cin, c, 3, stride, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1, bias=False))
        self.b = nn.Sequential(nn.Conv2d(cin, c, 3, stride, 2, dilation=2, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1, bias=False))
        self.norm = nn.BatchNorm2d(c)
        self.carry = nn.Sequential(nn.Conv2d(cin, c, 1, stride, bias=False), nn.BatchNorm2d(c)) if stride != 1 or cin != c else None

    def forward(self, x):
        y = self.norm(self.a(x) + self.b(x))
        return F.relu(y + (x if self.carry is None else self.carry(x)))


class TwoPathNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(TwoPath(16, 16, 1), TwoPath(16, 32, 2), TwoPath(32, 32, 1))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1).flatten(1))


def count(m):
    return sum(p.numel() for p in m.parameters())


def checked(net, shape, out):
    with torch.no_grad():
        assert net.eval()(torch.zeros(*shape)).shape == out
    return count(net)


def filled(values, shape):
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


def msrb_forward():
    block = MSRB(4, 4)
    with torch.no_grad():
        for i, p in enumerate(block.parameters()):
            p.copy_(filled([0.2 * math.sin(0.37 * k + i) for k in range(p.numel())], p.shape))
        x = filled([math.cos(0.11 * k) for k in range(100)], (1, 4, 5, 5))
        return [float(v) for v in block.eval()(x).flatten()]


if __name__ == "__main__":  # image_oracle.py imports MSRB from here
    result = {
        "msrb_net": checked(MsrbNet(), (2, 1, 28, 28), (2, 10)),
        "msrb_block64": checked(MSRB(64, 64), (1, 64, 16, 16), (1, 64, 16, 16)),
        "preact_wide": checked(PreActWide(), (2, 3, 32, 32), (2, 10)),
        "two_path_net": checked(TwoPathNet(), (2, 3, 32, 32), (2, 10)),
        "msrb_forward": msrb_forward(),
    }
    json.dump(result, sys.stdout)
