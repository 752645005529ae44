using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>Owns one native tensor handle (an at::Tensor the shim allocated).</summary>
internal sealed class TensorHandle : NativeHandle
{
    public TensorHandle() { }

    public TensorHandle(IntPtr handle) : base(handle) { }

    protected override bool Free(IntPtr handle) => LibTorch.resnetgen_tensor_free(handle) == 0;
}
