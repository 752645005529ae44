namespace ResNetGen.TorchSharp;

/// <summary>Factories of the fixed modules, as TorchSharp's <c>torch.nn.Conv2d(...)</c>.</summary>
public static class Layers
{
    /// <summary>Squeeze-and-excitation gate over <paramref name="channels"/> channels.</summary>
    /// <param name="channels">Channels in and out.</param>
    /// <param name="squeezeChannels">Channels of the bottleneck (channels / reduction).</param>
    public static SqueezeExcite SqueezeExcite(int channels, int squeezeChannels) => new(channels, squeezeChannels);

    /// <summary>Stochastic depth with drop probability <paramref name="p"/>.</summary>
    /// <param name="p">Probability of dropping a sample's branch in training, in [0, 1].</param>
    public static DropPath DropPath(double p) => new(p);
}
