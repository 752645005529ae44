using ResNetGen.Torch;
using ResNetGen.Torch.Modules;
using ResNetGen.Torch.Native;

namespace ResNetGen.Distributed;

/// <summary>
/// Synchronized batch norm for data-parallel training (PyTorch's <c>nn.SyncBatchNorm</c>): in
/// training mode with a group of more than one rank, the batch statistics (and so the running
/// ones) cover every rank's batch of <see cref="Group"/>, so N ranks with batches of B normalize
/// as one process with a batch of N×B would; the backward pass all-reduces too. Evaluation
/// mode, or a group of one rank: plain batch norm, no communication. Parameters, buffers and
/// state_dict keys are <see cref="BatchNorm2d"/>'s.
/// <para>
/// Every rank must run the same forward passes (the same synchronized layers, in the same order,
/// in training mode) and call backward through them: each layer all-reduces once in forward and
/// once in backward. Average the gradients afterwards as usual (<see cref="ProcessGroup.AverageGradients"/>).
/// The module does not own the group.
/// </para>
/// </summary>
public sealed class SyncBatchNorm : BatchNorm2d
{
    // A collective that fails inside backward (this layer's all-reduce) is the group's failure,
    // as in forward, not a libtorch error.
    static SyncBatchNorm() => NativeErrors.Register(message =>
        message.StartsWith("sync_batch_norm backward failed", StringComparison.Ordinal) ? new DistributedException(message) : null);

    /// <summary>A new synchronized batch norm over (N, C, H, W); the arguments are <see cref="BatchNorm2d"/>'s.</summary>
    public SyncBatchNorm(long num_features, ProcessGroup group, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool track_running_stats = true) : this(new BatchNorm2d(num_features, eps, momentum, affine, track_running_stats), group) { }

    /// <summary>A synchronized batch norm over <paramref name="source"/>'s settings, parameters and buffers (shared, not copied).</summary>
    public SyncBatchNorm(BatchNorm2d source, ProcessGroup group) : base(source, nameof(SyncBatchNorm))
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
    }

    /// <summary>The group whose batches the statistics cover.</summary>
    public ProcessGroup Group { get; }

    protected override Tensor normalize(Tensor input, double exponentialAverageFactor) =>
        training && Group.WorldSize > 1
            ? Group.SyncedBatchNorm(input, weight, bias, running_mean, running_var, exponentialAverageFactor, eps)
            : base.normalize(input, exponentialAverageFactor);

    /// <summary>
    /// Swaps a <see cref="SyncBatchNorm"/> over <paramref name="group"/> in for every <see cref="BatchNorm2d"/> in
    /// <paramref name="module"/>'s tree, as PyTorch's <c>SyncBatchNorm.convert_sync_batchnorm</c>: each takes over
    /// the old module's parameters and buffers (the same tensors), so the weights, an optimizer built on
    /// them and the state_dict keys stay as they were (<see cref="Module.replace_module"/>). A batch norm that
    /// is already synchronized is moved to <paramref name="group"/>.
    /// </summary>
    /// <returns><paramref name="module"/>, or its replacement when it is itself a batch norm.</returns>
    public static Module Convert(Module module, ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(group);
        if (module is BatchNorm2d root) return new SyncBatchNorm(root, group);
        // A module shared by two parents gets one replacement, as PyTorch's recursion would give it twice
        // (and train both); one keeps every path training the same tensors through the same layer.
        var converted = new Dictionary<BatchNorm2d, SyncBatchNorm>(ReferenceEqualityComparer.Instance);
        foreach (var (_, parent) in module.named_modules().ToList())
            foreach (var (name, child) in parent.named_children().ToList())
                if (child is BatchNorm2d bn)
                {
                    if (!converted.TryGetValue(bn, out var sync)) converted[bn] = sync = new SyncBatchNorm(bn, group);
                    parent.replace_module(name, sync);
                }
        return module;
    }
}
