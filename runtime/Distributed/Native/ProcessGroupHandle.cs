using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed.Native;

/// <summary>Owns one native process group.</summary>
internal sealed class ProcessGroupHandle : NativeHandle
{
    public ProcessGroupHandle() { }

    public ProcessGroupHandle(IntPtr handle) : base(handle) { }

    protected override bool Free(IntPtr handle) => LibTorchDistributed.resnetgen_dist_free(handle) == 0;
}
