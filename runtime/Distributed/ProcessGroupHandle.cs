using System.Runtime.InteropServices;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed;

/// <summary>Owns one native process group; SafeHandle guarantees it is destroyed exactly once.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    public ProcessGroupHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public ProcessGroupHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LibTorch.rng_dist_free(handle) == 0;
}
