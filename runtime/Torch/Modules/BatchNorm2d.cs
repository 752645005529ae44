using ResNetGen.Distributed;
using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>Batch normalisation over (N, C, H, W) (PyTorch's nn.BatchNorm2d), with num_batches_tracked.</summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    /// <param name="momentum">Weight of the new batch in the running statistics; null = cumulative average.</param>
    public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool track_running_stats = true) : base(nameof(BatchNorm2d))
    {
        if (num_features <= 0) throw new ArgumentOutOfRangeException(nameof(num_features), num_features, "must be positive");
        (this.num_features, this.eps, this.momentum) = (num_features, eps, momentum);
        this.track_running_stats = track_running_stats;
        if (affine)
        {
            using (var w = torch.ones([num_features])) weight = new Parameter(w);
            using (var b = torch.zeros([num_features])) bias = new Parameter(b);
        }
        register_parameter("weight", weight);
        register_parameter("bias", bias);
        if (track_running_stats)
        {
            running_mean = torch.zeros([num_features]);
            running_var = torch.ones([num_features]);
            num_batches_tracked = torch.zeros([], ScalarType.Int64);
        }
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
        register_buffer("num_batches_tracked", num_batches_tracked);
    }

    public long num_features { get; }
    public double eps { get; }
    public double? momentum { get; }
    public bool track_running_stats { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }
    public Tensor? running_mean { get; }
    public Tensor? running_var { get; }
    public Tensor? num_batches_tracked { get; }

    /// <summary>
    /// Synchronized batch norm (PyTorch's nn.SyncBatchNorm), off while null: in training mode with a group of
    /// more than one rank, the batch statistics (and so the running ones) cover every rank's batch, and the
    /// backward pass all-reduces too. Every rank must then run the same forward and backward passes. Set by
    /// <see cref="SyncBatchNorm.Convert"/>; not part of the state_dict, and the module does not own the group.
    /// </summary>
    public ProcessGroup? SyncGroup { get; set; }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"BatchNorm2d expects a 4-d input (N, C, H, W), got shape [{string.Join(", ", input.shape)}]", nameof(input));
        var factor = momentum ?? 0.0;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(1);
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        if (training && SyncGroup is { WorldSize: > 1 } group)
            return group.SyncedBatchNorm(input, weight, bias, running_mean, running_var, factor, eps);
        // Training always uses batch statistics; evaluation uses running ones when tracked.
        var useBatchStats = training || running_mean is null;
        var trackStats = !training || track_running_stats;
        return functional.batch_norm(input, trackStats ? running_mean : null, trackStats ? running_var : null,
            weight, bias, useBatchStats, factor, eps);
    }
}
