"""Reference parameter counts for LiteratureTests (run with /usr/bin/python3, PyTorch 1.13).

Independent PyTorch definitions, written from the papers / official code, of the networks
samples/ResNetGen.Zoo/Literature.cs declares. Prints one JSON object: for each network its parameter
count and the shape of its output for one input at the declared size.

- Keras study-card ResNet and keras.io's cifar10_resnet.py (resnet_v1 depth 20, resnet_v2 depth 56):
  built with a `resnet_layer` that mirrors the Keras example's (conv with bias, BN, activation, in
  conv-first or BN-first order); TensorFlow's asymmetric "same" padding at stride 2 is replaced by the
  symmetric padding PyTorch needs for the same output size (no effect on the count).
- WRN-28-10: the layout of xternalz/WideResNet-pytorch (pre-activation blocks, convShortcut).
- Pre-activation ResNet-110 (He et al., "Identity Mappings"): option-B 1x1 conv shortcuts, no BN.
- Spec-ResNet: nesl/asvspoof2019 models.py (ResNetBlock with stride-3 conv2/conv11, SpectrogramModel),
  with only the modules its forward uses ("official_constructed" also counts the unused ones).
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F


def resnet_layer(cin, filters, kernel=3, stride=1, activation=True, bn=True, conv_first=True):
    """keras cifar10_resnet.py's resnet_layer: Conv2D(bias) and BN-ReLU in either order."""
    conv = nn.Conv2d(cin, filters, kernel, stride, kernel // 2, bias=True)
    norm_channels = filters if conv_first else cin
    post = []
    if bn:
        post.append(nn.BatchNorm2d(norm_channels))
    if activation:
        post.append(nn.ReLU())
    return nn.Sequential(conv, *post) if conv_first else nn.Sequential(*post, conv)


class KerasV1Unit(nn.Module):
    def __init__(self, cin, filters, stride, projection):
        super().__init__()
        self.a = resnet_layer(cin, filters, stride=stride)
        self.b = resnet_layer(filters, filters, activation=False)
        self.shortcut = resnet_layer(cin, filters, 1, stride, activation=False, bn=False) if projection else None

    def forward(self, x):
        y = self.b(self.a(x))
        x = x if self.shortcut is None else self.shortcut(x)
        return F.relu(x + y)


def keras_resnet_v1(depth, classes=10):
    n = (depth - 2) // 6
    layers, filters, cin = [resnet_layer(3, 16)], 16, 16
    for stage in range(3):
        for block in range(n):
            stride = 2 if stage > 0 and block == 0 else 1
            layers.append(KerasV1Unit(cin, filters, stride, stage > 0 and block == 0))
            cin = filters
        filters *= 2
    return nn.Sequential(*layers, nn.AvgPool2d(8), nn.Flatten(), nn.Linear(cin, classes))


class KerasV2Unit(nn.Module):
    def __init__(self, cin, filters_in, filters_out, stride, first_of_network, projection):
        super().__init__()
        self.a = resnet_layer(cin, filters_in, 1, stride, activation=not first_of_network, bn=not first_of_network, conv_first=False)
        self.b = resnet_layer(filters_in, filters_in, conv_first=False)
        self.c = resnet_layer(filters_in, filters_out, 1, conv_first=False)
        self.shortcut = resnet_layer(cin, filters_out, 1, stride, activation=False, bn=False) if projection else None

    def forward(self, x):
        y = self.c(self.b(self.a(x)))
        x = x if self.shortcut is None else self.shortcut(x)
        return x + y


def keras_resnet_v2(depth, classes=10):
    n = (depth - 2) // 9
    filters_in = 16
    layers, cin = [resnet_layer(3, filters_in, conv_first=True)], 16
    for stage in range(3):
        for block in range(n):
            stride = 2 if stage > 0 and block == 0 else 1
            filters_out = filters_in * (4 if stage == 0 else 2)
            layers.append(KerasV2Unit(cin, filters_in, filters_out, stride, stage == 0 and block == 0, block == 0))
            cin = filters_out
        filters_in = filters_out
    return nn.Sequential(*layers, nn.BatchNorm2d(cin), nn.ReLU(), nn.AvgPool2d(8), nn.Flatten(), nn.Linear(cin, classes))


class StudyCardBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=True)
        self.n1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=True)
        self.n2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=True), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.n2(self.c2(F.relu(self.n1(self.c1(x)))))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


def study_card(classes=10):
    layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=True), nn.BatchNorm2d(64), nn.ReLU()], 64
    for width, stride in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        layers.append(StudyCardBlock(cin, width, stride))
        cin = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


class WideBlock(nn.Module):
    """xternalz/WideResNet-pytorch's BasicBlock: BN-ReLU, conv, BN-ReLU, dropout, conv; convShortcut on the activated input."""

    def __init__(self, cin, cout, stride, drop):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(cin), nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(cout), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.drop = drop
        self.equal = cin == cout and stride == 1
        self.shortcut = None if self.equal else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        out = F.relu(self.bn2(self.conv1(a)))
        out = F.dropout(out, self.drop, self.training)
        out = self.conv2(out)
        return out + (x if self.equal else self.shortcut(a))


def preact_cifar(widths, n, drop, classes=10):
    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False)], 16
    for i, width in enumerate(widths):
        for j in range(n):
            layers.append(WideBlock(cin, width, 2 if i > 0 and j == 0 else 1, drop))
            cin = width
    return nn.Sequential(*layers, nn.BatchNorm2d(cin), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))


class SpecBlock(nn.Module):
    """nesl/asvspoof2019 ResNetBlock, the modules its forward uses (pre_bn is built but unused there)."""

    def __init__(self, cin, depth, first=True):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, depth, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(depth)
        self.dropout = nn.Dropout(0.5)
        self.conv2 = nn.Conv2d(depth, depth, 3, 3, 1)
        self.conv11 = nn.Conv2d(cin, depth, 3, 3, 1)
        if not first:
            self.pre_bn = nn.BatchNorm2d(cin)

    def forward(self, x):
        out = self.conv2(self.dropout(F.leaky_relu(self.bn1(self.conv1(x)), 0.01)))
        return out + self.conv11(x)


class SpecResNet(nn.Module):
    def __init__(self, official=False):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1, 1)
        count = 11 if official else 6  # the official class builds 11 blocks and calls 1, 3, 5, 7, 9, 11
        self.blocks = nn.ModuleList([SpecBlock(32, 32, first=(i == 0 or not official)) for i in range(count)])
        self.used = [0, 2, 4, 6, 8, 10] if official else list(range(6))
        self.bn = nn.BatchNorm2d(32)
        self.dropout = nn.Dropout(0.5)
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 2)

    def forward(self, x):
        out = self.conv1(x)
        for i in self.used:
            out = self.blocks[i](out)
        out = F.leaky_relu(self.bn(out), 0.01).flatten(1)
        return self.fc2(F.leaky_relu(self.fc1(self.dropout(out)), 0.01))


def describe(model, shape):
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(shape))
    return {"params": sum(p.numel() for p in model.parameters()), "out": list(out.shape)}


torch.manual_seed(0)
result = {
    "KerasStudyCardResNet": describe(study_card(), (1, 3, 32, 32)),
    "KerasResNet20V1": describe(keras_resnet_v1(20), (1, 3, 32, 32)),
    "KerasResNet56V2": describe(keras_resnet_v2(56), (1, 3, 32, 32)),
    "WideResNet28x10": describe(preact_cifar([160, 320, 640], 4, 0.3), (1, 3, 32, 32)),
    "PreActResNet110": describe(preact_cifar([16, 32, 64], 18, 0.0), (1, 3, 32, 32)),
    "SpecResNet": describe(SpecResNet(), (1, 1, 1025, 126)),
    "SpecResNetOfficialConstructed": {"params": sum(p.numel() for p in SpecResNet(official=True).parameters())},
}
print(json.dumps(result))
