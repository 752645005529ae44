using System.Runtime.InteropServices;
using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>Owns one native tensor handle; SafeHandle guarantees it is released exactly once.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LibTorch.rng_tensor_free(handle) == 0;
}
