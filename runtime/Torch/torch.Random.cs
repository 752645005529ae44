using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

public static partial class torch
{
    /// <summary>The default generator's state of <paramref name="device"/> (CPU if null), as opaque uint8 bytes.</summary>
    public static Tensor get_rng_state(Device? device = null)
    {
        var d = device ?? Device.CPU;
        return LibTorch.Wrap(LibTorch.resnetgen_get_rng_state((int)d.type, d.index, out var r), r);
    }

    /// <summary>Restores a state from <see cref="get_rng_state"/>: the same random numbers follow.</summary>
    public static void set_rng_state(Tensor state, Device? device = null)
    {
        var d = device ?? Device.CPU;
        LibTorch.Check(LibTorch.resnetgen_set_rng_state((int)d.type, d.index, state.Handle));
    }
}
