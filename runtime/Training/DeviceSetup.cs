using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// The process-wide libtorch settings a run wants for its device: cudnn's autotuner on CUDA, and
/// on the CPU as many intra-op threads as asked (default: OMP_NUM_THREADS when set, else every core).
/// Called by the <see cref="Trainer"/>'s set-up step, and by programs that only evaluate.
/// </summary>
public static class DeviceSetup
{
    /// <summary>Throws when <paramref name="device"/> is a GPU but this libtorch has no CUDA (or sees no GPU).</summary>
    public static void CheckAvailable(Device device)
    {
        if (device.type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new InvalidOperationException($"device {device} requested but CUDA is not available (libtorch {torch.version})");
    }

    public static void Configure(Device device, int? threads = null)
    {
        if (device.type == DeviceType.CUDA) torch.backends.cudnn.benchmark = true;
        else torch.set_num_threads(threads ?? DefaultThreads());
    }

    /// <summary>OMP_NUM_THREADS when set (torchrun and our launcher set it per worker), else every core.</summary>
    public static int DefaultThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), out var n) && n > 0 ? n : Environment.ProcessorCount;
}
