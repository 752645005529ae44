using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed.Native;

/// <summary>Owns one native reducer, and a reference on its group's handle so the group outlives it.</summary>
internal sealed class GradientReducerHandle : NativeHandle
{
    private readonly ProcessGroupHandle group;

    public GradientReducerHandle(IntPtr reducer, ProcessGroupHandle group)
    {
        var added = false;
        group.DangerousAddRef(ref added);
        this.group = group;
        SetHandle(reducer);
    }

    protected override bool Free(IntPtr handle)
    {
        var ok = LibTorchDistributed.resnetgen_dist_reducer_free(handle) == 0;
        group.DangerousRelease();
        return ok;
    }
}
