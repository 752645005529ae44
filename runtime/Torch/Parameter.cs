using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>
/// A learnable tensor owned by a module. Never collected by a dispose scope: it lives as long as
/// its module. Moving a module moves its parameters in place (same object), so an optimizer
/// built before <c>Module.to</c> stays valid.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Takes the data of <paramref name="data"/> (a detached reference; the argument stays the caller's).</summary>
    public Parameter(Tensor data, bool requires_grad = true) : base(DetachedAlias(data), registerInScope: false)
    {
        this.requires_grad = requires_grad;
    }

    private static IntPtr DetachedAlias(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        LibTorch.Check(LibTorch.resnetgen_tensor_detach(data.Handle, out var r));
        return r;
    }
}
