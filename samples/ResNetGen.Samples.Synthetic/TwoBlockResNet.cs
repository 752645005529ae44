using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Samples.Synthetic;

/// <summary>
/// A small residual net written by hand (what the generator will write for you): a stem, two
/// basic blocks (the second downsamples, with a 1×1 projection shortcut) and a linear head.
/// </summary>
public sealed class TwoBlockResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly BasicBlock block1;
    private readonly BasicBlock block2;
    private readonly Linear fc;

    public TwoBlockResNet(int inChannels, int numClasses, int width = 16) : base(nameof(TwoBlockResNet))
    {
        conv1 = new Conv2d(inChannels, width, 3, padding: 1, bias: false);
        bn1 = new BatchNorm2d(width);
        block1 = new BasicBlock(width, width, stride: 1);
        block2 = new BasicBlock(width, width * 2, stride: 2);
        fc = new Linear(width * 2, numClasses);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("block1", block1);
        register_module("block2", block2);
        register_module("fc", fc);
    }

    public override Tensor forward(Tensor x)
    {
        using var stem = functional.relu(bn1.forward(conv1.forward(x)), inplace: true);
        using var b1 = block1.forward(stem);
        using var b2 = block2.forward(b1);
        using var pooled = functional.adaptive_avg_pool2d(b2, 1, 1);
        using var flat = pooled.flatten(1);
        return fc.forward(flat);
    }
}

/// <summary>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;

    public BasicBlock(long inPlanes, long planes, long stride) : base(nameof(BasicBlock))
    {
        conv1 = new Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new BatchNorm2d(planes);
        conv2 = new Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(planes);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        if (stride != 1 || inPlanes != planes)
        {
            downsample = new Sequential(new Conv2d(inPlanes, planes, 1, stride: stride, bias: false), new BatchNorm2d(planes));
            register_module("downsample", downsample);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var a = functional.relu(bn1.forward(conv1.forward(x)), inplace: true);
        var residual = bn2.forward(conv2.forward(a));
        using var shortcut = downsample is null ? x.alias() : downsample.forward(x);
        return residual.add_(shortcut).relu_();
    }
}
