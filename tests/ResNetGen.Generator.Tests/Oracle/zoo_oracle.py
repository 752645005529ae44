"""Reference numbers for ZooTests, from a live PyTorch/torchvision (run with /usr/bin/python3).

Prints one JSON object: for each torchvision model its parameter count and state_dict keys
(weights=None), and for the CIFAR ResNets of He et al. (2015) the parameter counts of an
independent PyTorch definition (akamaster/pytorch_resnet_cifar10's layout: option A pads the
subsampled input with zero channels, option B projects with a 1x1 conv + BN).
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as models


class LambdaLayer(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride, option):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            if option == "A":
                pad = planes // 4
                self.shortcut = LambdaLayer(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, pad, pad)))
            else:
                self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self, n, option, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, in_planes = [], 16
        for planes, stride in [(16, 1), (32, 2), (64, 2)]:
            blocks = []
            for i in range(n):
                blocks.append(BasicBlock(in_planes, planes, stride if i == 0 else 1, option))
                in_planes = planes
            layers.append(nn.Sequential(*blocks))
        self.layers = nn.Sequential(*layers)
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layers(out)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)


def count(m):
    return sum(p.numel() for p in m.parameters())


result = {"torchvision": {}, "cifar": {}}
for name in ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
             "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2"]:
    net = getattr(models, name)(weights=None)
    result["torchvision"][name] = {"params": count(net), "keys": list(net.state_dict().keys())}
for depth in [20, 32, 44, 56, 110]:
    n = (depth - 2) // 6
    for option in ["A", "B"]:
        net = CifarResNet(n, option)
        assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
        result["cifar"][f"{depth}{option}"] = count(net)
print(json.dumps(result))
