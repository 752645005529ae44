"""PyTorch side of ResNetGen's interop tests (run by /usr/bin/python3 with torch 1.13 + torchvision 0.14).

torchvision's ResNets come from torchvision itself. The networks torchvision lacks are defined
here independently of the generator, in plain PyTorch, with the parameter names ResNetGen's
generated code uses (so their state_dicts load into the generated networks strictly):

* ``CifarResNet``: He et al. (2015) section 4.2; option A = subsample + zero-pad channels
  (akamaster/pytorch_resnet_cifar10's shortcut), option B = 1x1 conv + BN projection;
* ``PreActResNet``: ResNet v2 (He et al. 2016, kuangliu/pytorch-cifar layout): BN-ReLU before
  each conv, the pre-activated input feeds a projection shortcut (1x1 conv + BN), a final BN-ReLU
  (``norm``) before the pool; basic or bottleneck blocks;
* ``TimmStylePreActResNet``: the same pre-activation network under timm ResNetV2-like names
  (``stem.conv``, ``stages.0.blocks.0.norm1``, ``downsample.conv``, ``head.fc``), for key-map tests.
"""
import collections

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm


def conv3x3(cin, cout, stride=1, groups=1):
    return nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=False)


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride, bias=False)


# ---- CIFAR ResNets (post-activation, basic blocks) ---------------------------------------------

class CifarBasicBlock(nn.Module):
    def __init__(self, cin, planes, stride, option):
        super().__init__()
        self.conv1 = conv3x3(cin, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.option = option
        self.pad = 0
        self.stride = stride
        if stride != 1 or cin != planes:
            if option == "A":
                self.pad = (planes - cin) // 2
            else:
                self.downsample = nn.Sequential(conv1x1(cin, planes, stride), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if hasattr(self, "downsample"):
            shortcut = self.downsample(x)
        elif self.pad or self.stride != 1:
            shortcut = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad, self.pad))
        else:
            shortcut = x
        return F.relu(out + shortcut)


class CifarResNet(nn.Module):
    def __init__(self, depth=20, option="A", num_classes=10, in_channels=3, width=16):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = conv3x3(in_channels, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        cin = width
        for i, (planes, stride) in enumerate([(width, 1), (2 * width, 2), (4 * width, 2)]):
            blocks = []
            for b in range(n):
                blocks.append(CifarBasicBlock(cin, planes, stride if b == 0 else 1, option))
                cin = planes
            setattr(self, "layer{}".format(i + 1), nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---- pre-activation ResNets (ResNet v2), ResNetGen's naming -------------------------------------

class PreActBasic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.relu = nn.ReLU()
        self.conv1 = conv3x3(cin, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(conv1x1(cin, planes, stride), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.downsample(out) if hasattr(self, "downsample") else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        return out + shortcut


class PreActBottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride):
        super().__init__()
        cout = planes * self.expansion
        self.bn1 = nn.BatchNorm2d(cin)
        self.relu = nn.ReLU()
        self.conv1 = conv1x1(cin, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, cout)
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(conv1x1(cin, cout, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.downsample(out) if hasattr(self, "downsample") else x
        out = self.conv1(out)
        out = self.conv2(F.relu(self.bn2(out)))
        out = self.conv3(F.relu(self.bn3(out)))
        return out + shortcut


class PreActResNet(nn.Module):
    """CIFAR-style stem (a bare 3x3 conv), stages of pre-activation blocks, final BN-ReLU, pool, fc."""

    def __init__(self, block, blocks, widths=(64, 128, 256, 512), stem=64, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1 = conv3x3(in_channels, stem)
        self.relu = nn.ReLU()
        cin = stem
        for i, (n, planes) in enumerate(zip(blocks, widths)):
            layers = []
            for b in range(n):
                layers.append(block(cin, planes, (1 if i == 0 else 2) if b == 0 else 1))
                cin = planes * block.expansion
            setattr(self, "layer{}".format(i + 1), nn.Sequential(*layers))
        self.num_stages = len(blocks)
        self.norm = nn.BatchNorm2d(cin)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.conv1(x)
        for i in range(self.num_stages):
            x = getattr(self, "layer{}".format(i + 1))(x)
        x = F.relu(self.norm(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---- the same pre-activation network under timm ResNetV2-like names ------------------------------

class _Stem(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv3x3(cin, cout)

    def forward(self, x):
        return self.conv(x)


class _Down(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = conv1x1(cin, cout, stride)
        self.norm = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.norm(self.conv(x))


class _TimmBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(cin)
        self.conv1 = conv3x3(cin, planes, stride)
        self.norm2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        if stride != 1 or cin != planes:
            self.downsample = _Down(cin, planes, stride)

    def forward(self, x):
        pre = F.relu(self.norm1(x))
        shortcut = self.downsample(pre) if hasattr(self, "downsample") else x
        return self.conv2(F.relu(self.norm2(self.conv1(pre)))) + shortcut


class _Stage(nn.Module):
    def __init__(self, cin, planes, n, stride):
        super().__init__()
        self.blocks = nn.Sequential(*[_TimmBlock(cin if b == 0 else planes, planes, stride if b == 0 else 1) for b in range(n)])

    def forward(self, x):
        return self.blocks(x)


class _Head(nn.Module):
    def __init__(self, cin, num_classes):
        super().__init__()
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class TimmStylePreActResNet(nn.Module):
    """PreActResNet(PreActBasic, blocks) under timm-like names: stem.conv, stages.i.blocks.j.{norm1,conv1,norm2,conv2,
    downsample.conv,downsample.norm}, norm, head.fc."""

    def __init__(self, blocks=(2, 2, 2, 2), widths=(64, 128, 256, 512), stem=64, num_classes=10):
        super().__init__()
        self.stem = _Stem(3, stem)
        stages, cin = [], stem
        for i, (n, planes) in enumerate(zip(blocks, widths)):
            stages.append(_Stage(cin, planes, n, 1 if i == 0 else 2))
            cin = planes
        self.stages = nn.Sequential(*stages)
        self.norm = nn.BatchNorm2d(cin)
        self.head = _Head(cin, num_classes)

    def forward(self, x):
        return self.head(F.relu(self.norm(self.stages(self.stem(x)))))


# ---- the networks by the names the C# tests use -------------------------------------------------

def build(name):
    """A freshly initialised network (the caller seeds torch first)."""
    if name in ("resnet18", "resnet34", "resnet50", "resnext50_32x4d", "wide_resnet50_2"):
        return getattr(tvm, name)(weights=None)
    if name == "cifar_resnet20a":
        return CifarResNet(20, "A")
    if name == "cifar_resnet20b":
        return CifarResNet(20, "B")
    if name == "preact_resnet18":
        return PreActResNet(PreActBasic, [2, 2, 2, 2])
    if name == "preact_resnet164":
        return PreActResNet(PreActBottleneck, [18, 18, 18], widths=(16, 32, 64), stem=16, num_classes=10)
    if name == "timm_preact_resnet18":
        return TimmStylePreActResNet()
    raise KeyError(name)


def randomize_(model, size=32, in_channels=3):
    """Moves every BN away from its defaults so that running stats, affine parameters and the counter
    all matter, as in a trained network: weight ~ U(0.5, 1.5), bias ~ N(0, 0.1); running statistics
    measured on one random calibration batch (4 images of `size`), then perturbed (mean + N(0, 0.05),
    var x U(0.8, 1.25)) so they differ from any batch's; num_batches_tracked = 7; Linear biases ~ N(0, 0.1).
    Measured statistics keep eval-mode activations (and logits) at the scale of a trained network's."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0, 0.1)
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.bias.normal_(0, 0.1)
        saved = [m.momentum for m in bns]
        for m in bns:
            m.reset_running_stats()
            m.momentum = None  # cumulative average: one batch gives exactly its statistics
        was_training = model.training
        model.train()
        model(torch.randn(4, in_channels, size, size))
        model.train(was_training)
        for m, momentum in zip(bns, saved):
            m.momentum = momentum
            m.running_mean.add_(torch.randn_like(m.running_mean) * 0.05)
            m.running_var.mul_(torch.empty_like(m.running_var).uniform_(0.8, 1.25))
            m.num_batches_tracked.fill_(7)
    return model


def sgd_steps(model, x, y, steps, lr, momentum, weight_decay):
    """`steps` SGD steps in train mode on (x, y) with mean cross-entropy; returns the losses."""
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return losses


def state(model):
    return collections.OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
