using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetGen.TorchSharp;

/// <summary>
/// Squeeze-and-excitation (Hu et al., 2018) as timm's <c>SEModule</c>: global average pool,
/// 1×1 convolution down to the squeeze width, ReLU, 1×1 convolution back up, sigmoid gate that
/// scales each channel. State-dict keys <c>fc1.weight</c>, <c>fc1.bias</c>, <c>fc2.weight</c>,
/// <c>fc2.bias</c>, so timm's and the ResNetGen.Torch target's weights load as they are.
/// </summary>
public sealed class SqueezeExcite : nn.Module<Tensor, Tensor>
{
    // Field names are the registered names: RegisterComponents reflects over them.
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;

    /// <summary>Creates the gate; prefer <see cref="Layers.SqueezeExcite"/>.</summary>
    /// <param name="channels">Channels in and out.</param>
    /// <param name="squeezeChannels">Channels of the bottleneck.</param>
    public SqueezeExcite(long channels, long squeezeChannels) : base(nameof(SqueezeExcite))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(squeezeChannels, 1);
        Channels = channels;
        SqueezeChannels = squeezeChannels;
        fc1 = nn.Conv2d(channels, squeezeChannels, 1, bias: true);
        fc2 = nn.Conv2d(squeezeChannels, channels, 1, bias: true);
        RegisterComponents();
    }

    /// <summary>Channels in and out.</summary>
    public long Channels { get; }

    /// <summary>Channels of the bottleneck.</summary>
    public long SqueezeChannels { get; }

    /// <summary>Scales each channel of <paramref name="x"/> [N, C, H, W] by its learned gate.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var s = x.mean([2L, 3L], keepdim: true);              // [N, C, 1, 1]
        s = nn.functional.relu(fc1.call(s));                  // [N, C/r, 1, 1]
        s = fc2.call(s).sigmoid();                            // [N, C, 1, 1]
        return (x * s).MoveToOuterDisposeScope();             // [N, C, H, W]
    }
}
