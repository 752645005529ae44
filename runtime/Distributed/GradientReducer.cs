using ResNetGen.Distributed.Native;
using ResNetGen.Torch;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed;

/// <summary>
/// Averages a module's gradients over the ranks while backward is still running, as PyTorch's
/// DistributedDataParallel does: the parameters are bucketed in reverse registration order
/// (the last layers' gradients are ready first), and a bucket's all-reduce is launched from an
/// autograd hook as soon as all its gradients are there, overlapping communication with the
/// rest of backward. Same result as <see cref="ProcessGroup.AverageGradients"/>.
/// <code>
/// using var reducer = group.CreateGradientReducer(model);   // after moving the model to its device
/// reducer.Prepare();
/// loss.backward();
/// reducer.Finish();                                         // param.grad now holds the average
/// </code>
/// A parameter that got no gradient in this backward gets the average of the others' (zeros
/// from this rank). Every rank must run the same number of steps. Dispose it before the group.
/// </summary>
public sealed class GradientReducer : IDisposable
{
    private readonly ProcessGroup group;
    private readonly GradientReducerHandle handle;

    internal GradientReducer(ProcessGroup group, GradientReducerHandle handle)
    {
        this.group = group;
        this.handle = handle;
    }

    /// <summary>Arms the hooks for the next backward pass. Call it before every backward.</summary>
    public void Prepare()
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        group.Locked(() => Check(LibTorchDistributed.resnetgen_dist_reducer_prepare(handle)));
    }

    /// <summary>
    /// After backward: all-reduces what backward has not launched yet, waits for every bucket
    /// (bounded by the group's timeout) and writes the averaged gradients into each parameter's
    /// grad. A peer that died or hangs is a <see cref="DistributedException"/>.
    /// </summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        group.Locked(() => Check(LibTorchDistributed.resnetgen_dist_reducer_finish(handle)));
    }

    private static void Check(int status)
    {
        if (status == 0) return;
        var message = LibTorch.LastError();
        if (message.StartsWith("all_reduce failed", StringComparison.Ordinal)) throw new DistributedException(message);
        throw new InvalidOperationException(message); // used out of order (finish without prepare, two backwards)
    }

    public void Dispose() => handle.Dispose();
}
