using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Fused optimizer steps (src/optim.cpp): one call per parameter group.
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)]
    internal static partial int resnetgen_optim_sgd_step(IntPtr* parameters, IntPtr* momentumBuffers, int count, double lr,
        double momentum, double dampening, double weightDecay, int nesterov, int maximize, int useForeach);

    [LibraryImport(Lib)]
    internal static partial int resnetgen_optim_adamw_step(IntPtr* parameters, IntPtr* expAvgs, IntPtr* expAvgSqs,
        IntPtr* maxExpAvgSqs, double* steps, int count, double lr, double beta1, double beta2, double eps,
        double weightDecay, int amsgrad, int maximize, int useForeach);
}
