using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

public static partial class torch
{
    /// <summary>
    /// An autocast region (PyTorch's torch.autocast): eligible ops (convolutions, matmuls) run in
    /// <paramref name="dtype"/> on <paramref name="device_type"/>, the rest in float32. Dispose to leave.
    /// </summary>
    public static IDisposable autocast(DeviceType device_type, ScalarType? dtype = null, bool enabled = true) =>
        new AutocastRegion(device_type, dtype ?? (device_type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.BFloat16), enabled);

    public static bool is_autocast_enabled(DeviceType device_type = DeviceType.CUDA)
    {
        LibTorch.Check(LibTorch.resnetgen_autocast_is_enabled((int)device_type, out var e));
        return e != 0;
    }

    private sealed class AutocastRegion : IDisposable
    {
        private readonly DeviceType device;
        private readonly int previousEnabled, previousDtype;
        private bool done;

        public AutocastRegion(DeviceType device, ScalarType dtype, bool enabled)
        {
            this.device = device;
            LibTorch.Check(LibTorch.resnetgen_autocast_enter((int)device, enabled ? 1 : 0, (int)dtype, out previousEnabled, out previousDtype));
        }

        public void Dispose()
        {
            if (done) return;
            done = true;
            LibTorch.Check(LibTorch.resnetgen_autocast_exit((int)device, previousEnabled, previousDtype));
        }
    }
}
