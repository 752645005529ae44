using ResNetGen.Torch.Native;

namespace ResNetGen.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov momentum, weight decay and
/// maximize: torch.optim.SGD's update (PyTorch 1.13), fused into one native call per group.
/// <code>
/// g = ±grad + weight_decay·p
/// buf = g (first step) | momentum·buf + (1 − dampening)·g
/// p  -= lr · (nesterov ? g + momentum·buf : buf)
/// </code>
/// Group options: lr, momentum, dampening, weight_decay, nesterov (0/1), maximize (0/1).
/// State per parameter: "momentum_buffer" (when momentum ≠ 0).
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] Names = ["momentum_buffer"];

    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false, bool? @foreach = null)
        : this(OneGroup(parameters), lr, momentum, dampening, weight_decay, nesterov, maximize, @foreach) { }

    public SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false, bool? @foreach = null)
        : base(param_groups, Defaults(lr, momentum, dampening, weight_decay, nesterov, maximize), @foreach) { }

    private static Dictionary<string, double> Defaults(double lr, double momentum, double dampening, double weightDecay,
        bool nesterov, bool maximize)
    {
        if (lr < 0) throw new ArgumentException($"Invalid learning rate: {lr}", nameof(lr));
        if (momentum < 0) throw new ArgumentException($"Invalid momentum value: {momentum}", nameof(momentum));
        if (weightDecay < 0) throw new ArgumentException($"Invalid weight_decay value: {weightDecay}", nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(nesterov));
        return new()
        {
            ["lr"] = lr,
            ["momentum"] = momentum,
            ["dampening"] = dampening,
            ["weight_decay"] = weightDecay,
            ["nesterov"] = nesterov ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        };
    }

    protected override IReadOnlyList<string> StateNames => Names;

    protected override void ValidateGroup(ParamGroup group)
    {
        base.ValidateGroup(group);
        if (group["momentum"] < 0) throw new ArgumentException($"Invalid momentum value: {group["momentum"]}");
        if (group.Flag("nesterov") && (group["momentum"] <= 0 || group["dampening"] != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
    }

    protected override unsafe void StepGroup(ParamGroup group)
    {
        var ps = group.@params;
        var args = new NativeArgs();
        IntPtr[]? buffers = null;
        int status;
        string? error = null;
        try
        {
            var handles = args.List(ps);
            buffers = StateSlots(ref args, ps, "momentum_buffer");
            fixed (IntPtr* h = handles)
            fixed (IntPtr* b = buffers)
            {
                status = LibTorch.resnetgen_optim_sgd_step(h, b, ps.Count, group.lr, group["momentum"], group["dampening"],
                    group.weight_decay, group.Flag("nesterov") ? 1 : 0, group.Flag("maximize") ? 1 : 0, UseForeach(group) ? 1 : 0);
            }
            if (status != 0) error = LibTorch.LastError();
        }
        finally
        {
            args.Dispose();
            AdoptSlots(ps, "momentum_buffer", buffers);
        }
        if (error is not null) throw new TorchException(error);
    }
}
