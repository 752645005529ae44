using ResNetGen.Torch;
using ResNetGen.Torch.Modules;

namespace ResNetGen.Distributed;

/// <summary>Synchronized batch norm for data-parallel training (PyTorch's <c>nn.SyncBatchNorm</c>).</summary>
public static class SyncBatchNorm
{
    /// <summary>
    /// Turns every <see cref="BatchNorm2d"/> in <paramref name="module"/>'s tree (itself included) into a
    /// synchronized one, as PyTorch's <c>SyncBatchNorm.convert_sync_batchnorm</c>: in training mode its batch
    /// statistics are computed over all ranks' batches of <paramref name="group"/>, so N ranks with batches of
    /// B normalize as one process with a batch of N×B would. Evaluation mode is unchanged (running statistics,
    /// no communication). Parameters, buffers and state_dict keys stay the same; the modules are changed in
    /// place, not replaced.
    /// <para>
    /// Every rank must run the same forward passes (the same synchronized layers, in the same order, in
    /// training mode) and call backward through them: each layer all-reduces once in forward and once in
    /// backward. Average the gradients afterwards as usual (<see cref="ProcessGroup.AverageGradients"/>).
    /// With a group of one rank the layers behave exactly as plain batch norm.
    /// </para>
    /// </summary>
    /// <param name="group">The group to synchronize over; null turns synchronization off.</param>
    /// <returns>How many batch-norm modules were set.</returns>
    public static int Convert(Module module, ProcessGroup? group)
    {
        ArgumentNullException.ThrowIfNull(module);
        var seen = new HashSet<BatchNorm2d>(ReferenceEqualityComparer.Instance);
        foreach (var (_, child) in module.named_modules())
            if (child is BatchNorm2d bn && seen.Add(bn))
                bn.SyncGroup = group;
        return seen.Count;
    }
}
