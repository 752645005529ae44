using TorchSharp;
using static TorchSharp.torch;

namespace ResNetGen.TorchSharp;

/// <summary>
/// Stochastic depth (Huang et al., 2016) on a residual branch: see <see cref="Functional.drop_path"/>.
/// Identity in evaluation mode; no parameters, no buffers.
/// </summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module; prefer <see cref="Layers.DropPath"/>.</summary>
    /// <param name="p">Probability of dropping a sample's branch in training, in [0, 1].</param>
    public DropPath(double p) : base(nameof(DropPath))
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "drop path probability must be in [0, 1]");
        this.p = p;
    }

    /// <summary>Probability of dropping a sample's branch in training.</summary>
    public double p { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => Functional.drop_path(x, p, training);
}
