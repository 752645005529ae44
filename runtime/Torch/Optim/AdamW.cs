using ResNetGen.Torch.Native;

namespace ResNetGen.Torch.Optim;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), optionally AMSGrad: torch.optim.AdamW's
/// update (PyTorch 1.13), fused into one native call per group.
/// <code>
/// t += 1;  p *= 1 − lr·weight_decay
/// m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²;   (amsgrad: v̂ = max(v̂, v))
/// p -= lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
/// </code>
/// Group options: lr, beta1, beta2 (PyTorch's betas), eps, weight_decay, amsgrad (0/1), maximize (0/1).
/// State per parameter: "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad).
/// </summary>
public sealed class AdamW : Optimizer
{
    private static readonly string[] Names = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false, bool? @foreach = null)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, @foreach) { }

    public AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false, bool? @foreach = null)
        : base(param_groups, Defaults(lr, beta1, beta2, eps, weight_decay, amsgrad, maximize), @foreach) { }

    /// <summary>PyTorch's spelling: <c>betas: (0.9, 0.999)</c>.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr, (double, double) betas, double eps = 1e-8,
        double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false, bool? @foreach = null)
        : this(OneGroup(parameters), lr, betas.Item1, betas.Item2, eps, weight_decay, amsgrad, maximize, @foreach) { }

    private static Dictionary<string, double> Defaults(double lr, double beta1, double beta2, double eps, double weightDecay,
        bool amsgrad, bool maximize)
    {
        Check(lr, beta1, beta2, eps, weightDecay);
        return new()
        {
            ["lr"] = lr,
            ["beta1"] = beta1,
            ["beta2"] = beta2,
            ["eps"] = eps,
            ["weight_decay"] = weightDecay,
            ["amsgrad"] = amsgrad ? 1 : 0,
            ["maximize"] = maximize ? 1 : 0,
        };
    }

    private static void Check(double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        if (lr < 0) throw new ArgumentException($"Invalid learning rate: {lr}");
        if (eps < 0) throw new ArgumentException($"Invalid epsilon value: {eps}");
        if (beta1 < 0 || beta1 >= 1) throw new ArgumentException($"Invalid beta parameter at index 0: {beta1}");
        if (beta2 < 0 || beta2 >= 1) throw new ArgumentException($"Invalid beta parameter at index 1: {beta2}");
        if (weightDecay < 0) throw new ArgumentException($"Invalid weight_decay value: {weightDecay}");
    }

    protected override IReadOnlyList<string> StateNames => Names;

    protected override bool HasStepCount => true;

    protected override void ValidateGroup(ParamGroup group) =>
        Check(group.lr, group["beta1"], group["beta2"], group["eps"], group.weight_decay);

    protected override unsafe void StepGroup(ParamGroup group)
    {
        var ps = group.@params;
        var amsgrad = group.Flag("amsgrad");
        var args = new NativeArgs();
        IntPtr[]? m = null, v = null, vmax = null;
        var steps = new double[ps.Count];
        for (var i = 0; i < ps.Count; i++) steps[i] = StateOf(ps[i]).Step;
        string? error = null;
        try
        {
            var handles = args.List(ps);
            m = StateSlots(ref args, ps, "exp_avg");
            v = StateSlots(ref args, ps, "exp_avg_sq");
            vmax = amsgrad ? StateSlots(ref args, ps, "max_exp_avg_sq") : new IntPtr[ps.Count];
            int status;
            fixed (IntPtr* h = handles)
            fixed (IntPtr* pm = m)
            fixed (IntPtr* pv = v)
            fixed (IntPtr* pvmax = vmax)
            fixed (double* s = steps)
            {
                status = LibTorch.resnetgen_optim_adamw_step(h, pm, pv, amsgrad ? pvmax : null, s, ps.Count, group.lr,
                    group["beta1"], group["beta2"], group["eps"], group.weight_decay, amsgrad ? 1 : 0,
                    group.Flag("maximize") ? 1 : 0, UseForeach(group) ? 1 : 0);
            }
            if (status != 0) error = LibTorch.LastError();
            else for (var i = 0; i < ps.Count; i++) if (steps[i] != 0) StateOf(ps[i]).Step = steps[i];
        }
        finally
        {
            args.Dispose();
            AdoptSlots(ps, "exp_avg", m);
            AdoptSlots(ps, "exp_avg_sq", v);
            if (amsgrad) AdoptSlots(ps, "max_exp_avg_sq", vmax);
        }
        if (error is not null) throw new TorchException(error);
    }
}
