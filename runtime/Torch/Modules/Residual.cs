using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>
/// Squeeze-and-excitation (Hu et al., 2018), as timm's <c>SEModule</c>: global average pool, 1×1 conv
/// down (<c>fc1</c>), ReLU, 1×1 conv up (<c>fc2</c>), sigmoid gate on each channel. Both convolutions have
/// a bias, so the state_dict keys are timm's <c>fc1.weight</c>, <c>fc1.bias</c>, <c>fc2.weight</c>, <c>fc2.bias</c>.
/// </summary>
public sealed class SqueezeExcite : Module<Tensor, Tensor>
{
    public readonly Conv2d fc1;
    public readonly Conv2d fc2;

    /// <param name="channels">Channels in and out.</param>
    /// <param name="reduced">Channels of the bottleneck.</param>
    public SqueezeExcite(long channels, long reduced) : base(nameof(SqueezeExcite))
    {
        fc1 = new Conv2d(channels, reduced, kernel_size: 1, bias: true);
        register_module("fc1", fc1);
        fc2 = new Conv2d(reduced, channels, kernel_size: 1, bias: true);
        register_module("fc2", fc2);
    }

    public override Tensor forward(Tensor x)
    {
        var s = x.mean([2, 3], keepdim: true); // [N, C, 1, 1]
        s = functional.relu(fc1.call(s));      // [N, C/r, 1, 1]
        s = fc2.call(s).sigmoid();             // [N, C, 1, 1]
        return x * s;
    }
}

/// <summary>
/// Option-A shortcut of the CIFAR ResNets (He et al., 2015; akamaster's <c>LambdaLayer</c>): subsample
/// <c>x[:, :, ::stride, ::stride]</c>, then zero-pad the channels up to <c>out_channels</c>, half before
/// (rounded down) and the rest after. No parameters, so it adds no state_dict keys.
/// </summary>
public sealed class ZeroPadShortcut(long stride, long out_channels) : Module<Tensor, Tensor>(nameof(ZeroPadShortcut))
{
    public long stride { get; } = stride > 0 ? stride : throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be positive");

    public long out_channels { get; } = out_channels;

    public override Tensor forward(Tensor x)
    {
        var pad = out_channels - x.size(1);
        if (pad < 0) throw new ArgumentException($"a zero-pad shortcut cannot shrink {x.size(1)} channels to {out_channels}", nameof(x));
        var y = stride > 1 ? x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride) : x;
        return functional.pad(y, [0, 0, 0, 0, pad / 2, pad - pad / 2]);
    }
}
