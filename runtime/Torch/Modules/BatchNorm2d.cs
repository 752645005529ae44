using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>Batch normalisation over (N, C, H, W) (PyTorch's nn.BatchNorm2d), with num_batches_tracked.</summary>
public class BatchNorm2d : Module<Tensor, Tensor>
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
        if (track_running_stats)
        {
            running_mean = torch.zeros([num_features]);
            running_var = torch.ones([num_features]);
            num_batches_tracked = torch.zeros([], ScalarType.Int64);
        }
        RegisterState();
    }

    /// <summary>
    /// A batch norm of another kind over <paramref name="source"/>'s state: the same settings and the
    /// same parameter and buffer objects (not copies), registered under the same names, so the new
    /// module trains the same weights and has the same state_dict (as PyTorch's
    /// <c>SyncBatchNorm.convert_sync_batchnorm</c> hands the old module's tensors over).
    /// </summary>
    protected BatchNorm2d(BatchNorm2d source, string name) : base(name)
    {
        ArgumentNullException.ThrowIfNull(source);
        (num_features, eps, momentum, track_running_stats) = (source.num_features, source.eps, source.momentum, source.track_running_stats);
        (weight, bias) = (source.weight, source.bias);
        (running_mean, running_var, num_batches_tracked) = (source.running_mean, source.running_var, source.num_batches_tracked);
        RegisterState();
        train(source.training);
    }

    private void RegisterState()
    {
        register_parameter("weight", weight);
        register_parameter("bias", bias);
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

    public sealed override Tensor forward(Tensor input)
    {
        // Replaced in its parent (e.g. by a synchronized batch norm): hand-written code that calls
        // forward on a field holding this module runs the replacement, as call() does.
        if (ReplacedBy is BatchNorm2d replacement) return replacement.forward(input);
        if (input.dim() != 4)
            throw new ArgumentException($"{Name} expects a 4-d input (N, C, H, W), got shape [{string.Join(", ", input.shape)}]", nameof(input));
        var factor = momentum ?? 0.0;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(1);
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        return normalize(input, factor);
    }

    /// <summary>
    /// Normalises a checked input (the counter already advanced): with the batch's statistics in
    /// training mode, the running ones in evaluation mode when tracked. <paramref name="exponentialAverageFactor"/>
    /// is the weight of this batch in the running statistics.
    /// </summary>
    protected virtual Tensor normalize(Tensor input, double exponentialAverageFactor)
    {
        var useBatchStats = training || running_mean is null;
        var trackStats = !training || track_running_stats;
        return functional.batch_norm(input, trackStats ? running_mean : null, trackStats ? running_var : null,
            weight, bias, useBatchStats, exponentialAverageFactor, eps);
    }

    // Checkpoints from before PyTorch 0.4.1 (e.g. torchvision's original ImageNet weights) lack
    // the counter; it then keeps its value (PyTorch's _BatchNorm._load_from_state_dict).
    protected override IEnumerable<string> optional_state_keys() =>
        num_batches_tracked is null ? [] : ["num_batches_tracked"];
}
