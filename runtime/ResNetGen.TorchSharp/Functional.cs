using TorchSharp;
using static TorchSharp.torch;

namespace ResNetGen.TorchSharp;

/// <summary>
/// Stateless operations of residual blocks that TorchSharp itself does not offer, in the style of
/// <c>torch.nn.functional</c>.
/// </summary>
public static class Functional
{
    /// <summary>
    /// Stochastic depth on a residual branch (timm's <c>drop_path</c>, torchvision's
    /// <c>stochastic_depth</c> in "row" mode): in training, each sample's branch is zeroed with
    /// probability <paramref name="p"/> and the kept ones are scaled by 1/(1 - p), so the expectation
    /// is unchanged. Identity in evaluation or when p is 0.
    /// </summary>
    /// <param name="x">Residual branch output [N, ...]; the mask is drawn per sample (dimension 0).</param>
    /// <param name="p">Probability of dropping a sample's branch, in [0, 1].</param>
    /// <param name="training">Whether the module is in training mode.</param>
    public static Tensor drop_path(Tensor x, double p, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "drop path probability must be in [0, 1]");
        if (!training || p == 0) return x;
        var keep = 1 - p;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.size(0);
        using var mask = empty(shape, x.dtype, x.device).bernoulli_(keep);
        // p == 1 drops every sample: the mask stays all zeros rather than dividing by zero.
        if (keep > 0) mask.div_(keep);
        return x.mul(mask);
    }

    /// <summary>
    /// The parameter-free "option A" shortcut of He et al. (2016) for CIFAR ResNets: subsamples
    /// <c>x[:, :, ::stride, ::stride]</c>, then appends zero channels up to
    /// <paramref name="outChannels"/>, (out - in) / 2 before the input's channels and the rest after
    /// (as akamaster's <c>LambdaLayer</c> and the ResNetGen.Torch target).
    /// </summary>
    /// <param name="x">Block input [N, C, H, W].</param>
    /// <param name="stride">Spatial subsampling step (1 = none).</param>
    /// <param name="outChannels">Channels of the block's output, at least C.</param>
    public static Tensor zero_pad_shortcut(Tensor x, int stride, int outChannels)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (x.dim() != 4) throw new ArgumentException($"zero_pad_shortcut expects [N, C, H, W], got [{string.Join(", ", x.shape)}]", nameof(x));
        var pad = outChannels - x.size(1);
        if (pad < 0) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"zero_pad_shortcut cannot reduce {x.size(1)} channels to {outChannels}");
        if (stride == 1 && pad == 0) return x;
        if (stride == 1) return nn.functional.pad(x, [0, 0, 0, 0, pad / 2, pad - pad / 2]);
        using var rows = x.slice(2, 0, x.size(2), stride);
        var subsampled = rows.slice(3, 0, rows.size(3), stride);
        if (pad == 0) return subsampled;
        using (subsampled) return nn.functional.pad(subsampled, [0, 0, 0, 0, pad / 2, pad - pad / 2]);
    }
}
