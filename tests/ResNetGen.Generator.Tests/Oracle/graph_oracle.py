"""Reference numbers for GraphZooTests (run with /usr/bin/python3, torch 1.13 + torchvision).

Prints one JSON object with, for each network, the parameter count of a PyTorch definition written
here from the paper / the authors' code, independently of the generator, and (for densenet121)
torchvision's own model: its parameter count and state_dict keys.

* DenseNet (Huang et al., CVPR 2017; the authors' Torch code liuzhuang13/DenseNet):
  a dense layer is BN-ReLU-Conv1x1(4k)-BN-ReLU-Conv3x3(k) ("B"), its output concatenated to its
  input; a transition is BN-ReLU-Conv1x1(floor(theta*m))-AvgPool2x2 ("C", theta = 0.5).
  ImageNet: 7x7/2 conv to 2k, BN, ReLU, 3x3/2 max-pool; CIFAR: a 3x3 conv to 2k only.
  The network ends BN-ReLU-global average pool-Linear.
* Convolutional highway layers (Srivastava, Greff, Schmidhuber 2015): y = H(x)*T(x) + x*(1 - T(x)),
  H = ReLU(conv3x3 + bias), T = sigmoid(conv3x3 + bias), the gate bias initialised to -1.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as models


class DenseLayer(nn.Module):
    def __init__(self, cin, k, bottleneck=4):
        super().__init__()
        if bottleneck:
            self.branch = nn.Sequential(
                nn.BatchNorm2d(cin), nn.ReLU(),
                nn.Conv2d(cin, bottleneck * k, 1, bias=False),
                nn.BatchNorm2d(bottleneck * k), nn.ReLU(),
                nn.Conv2d(bottleneck * k, k, 3, padding=1, bias=False))
        else:
            self.branch = nn.Sequential(nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, k, 3, padding=1, bias=False))

    def forward(self, x):
        return torch.cat([x, self.branch(x)], 1)


class PaperDenseNet(nn.Module):
    def __init__(self, layers, k, classes, in_channels=3, imagenet=True, theta=0.5, bottleneck=4):
        super().__init__()
        c = 2 * k
        body = [nn.Conv2d(in_channels, c, 7, 2, 3, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(3, 2, 1)] if imagenet \
            else [nn.Conv2d(in_channels, c, 3, padding=1, bias=False)]
        for i, n in enumerate(layers):
            for _ in range(n):
                body.append(DenseLayer(c, k, bottleneck))
                c += k
            if i < len(layers) - 1:
                out = int(c * theta)
                body += [nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, out, 1, bias=False), nn.AvgPool2d(2, 2)]
                c = out
        body += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*body)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(self.body(x))


class HighwayConv(nn.Module):
    def __init__(self, c, gate_bias=-1.0):
        super().__init__()
        self.h = nn.Conv2d(c, c, 3, padding=1, bias=True)
        self.t = nn.Conv2d(c, c, 3, padding=1, bias=True)
        nn.init.constant_(self.t.bias, gate_bias)

    def forward(self, x):
        t = torch.sigmoid(self.t(x))
        return F.relu(self.h(x)) * t + x * (1 - t)


class HighwayNet(nn.Module):
    def __init__(self, in_channels, width, layers, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.layers = nn.Sequential(*[HighwayConv(width) for _ in range(layers)])
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.layers(self.stem(x)), 1).flatten(1))


def count(m):
    return sum(p.numel() for p in m.parameters())


def checked(net, shape, classes):
    with torch.no_grad():
        assert net.eval()(torch.zeros(*shape)).shape == (shape[0], classes)
    return count(net)


result = {"paper": {}, "torchvision": {}}
result["paper"]["densenet121"] = checked(PaperDenseNet([6, 12, 24, 16], 32, 1000), (1, 3, 224, 224), 1000)
result["paper"]["densenet_bc100"] = checked(PaperDenseNet([16, 16, 16], 12, 10, imagenet=False), (2, 3, 32, 32), 10)
result["paper"]["densenet_bc40_mnist"] = checked(PaperDenseNet([6, 6, 6], 12, 10, in_channels=1, imagenet=False), (2, 1, 28, 28), 10)
result["paper"]["highway"] = checked(HighwayNet(1, 32, 9, 10), (2, 1, 28, 28), 10)
tv = models.densenet121(weights=None)
result["torchvision"]["densenet121"] = {"params": count(tv), "keys": list(tv.state_dict().keys())}
json.dump(result, sys.stdout)
