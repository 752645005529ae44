using System.Globalization;
using ResNetGen.Torch.Native;
using ResNetGen.Torch.Optim;

namespace ResNetGen.Torch.Amp;

/// <summary>
/// Loss scaling for float16 training (PyTorch's GradScaler): the loss is multiplied by a large
/// scale so small gradients survive float16; before the step the gradients are unscaled in one
/// native call, and a step whose gradients hold inf/NaN is skipped and the scale backs off.
/// After <c>growth_interval</c> clean steps the scale grows. Disabled, every method is a pass-through.
/// </summary>
public sealed class GradScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5,
    int growth_interval = 2000, bool enabled = true)
{
    private readonly HashSet<Optimizer> unscaled = new(ReferenceEqualityComparer.Instance);
    private bool foundInf;
    private int growthTracker;

    public bool is_enabled() => enabled;

    public double get_scale() => enabled ? scale : 1.0;

    private double scale = init_scale > 0 ? init_scale : throw new ArgumentOutOfRangeException(nameof(init_scale), "must be positive");

    /// <summary>How many steps were skipped because of inf/NaN gradients.</summary>
    public long skipped_steps { get; private set; }

    public Tensor scale_loss(Tensor loss) => enabled ? loss * scale : loss.alias();

    /// <summary>Divides the optimizer's gradients by the scale (once per step) and checks them for inf/NaN.</summary>
    public unsafe void unscale_(Optimizer optimizer)
    {
        if (!enabled) return;
        if (!unscaled.Add(optimizer)) throw new InvalidOperationException("unscale_() has already been called on this optimizer since the last update()");
        var ps = optimizer.parameters().ToList();
        var args = new NativeArgs();
        try
        {
            var handles = args.List(ps);
            int inf;
            fixed (IntPtr* h = handles) LibTorch.Check(LibTorch.resnetgen_amp_unscale_(h, handles.Length, 1.0 / scale, out inf));
            foundInf |= inf != 0;
        }
        finally
        {
            args.Dispose();
        }
    }

    /// <summary>Unscales if needed, then steps unless a gradient was inf/NaN. Returns whether it stepped.</summary>
    public bool step(Optimizer optimizer)
    {
        if (!enabled)
        {
            optimizer.step();
            return true;
        }
        if (!unscaled.Contains(optimizer)) unscale_(optimizer);
        if (foundInf)
        {
            skipped_steps++;
            return false;
        }
        optimizer.step();
        return true;
    }

    /// <summary>Adjusts the scale for the next iteration.</summary>
    public void update()
    {
        if (!enabled) return;
        if (foundInf)
        {
            scale *= backoff_factor;
            growthTracker = 0;
        }
        else if (++growthTracker == growth_interval)
        {
            scale *= growth_factor;
            growthTracker = 0;
        }
        foundInf = false;
        unscaled.Clear();
    }

    public Dictionary<string, string> state_dict() => new()
    {
        ["scale"] = scale.ToString("R", CultureInfo.InvariantCulture),
        ["growth_tracker"] = growthTracker.ToString(CultureInfo.InvariantCulture),
    };

    public void load_state_dict(IReadOnlyDictionary<string, string> state)
    {
        scale = double.Parse(state["scale"], CultureInfo.InvariantCulture);
        growthTracker = int.Parse(state["growth_tracker"], CultureInfo.InvariantCulture);
    }
}
