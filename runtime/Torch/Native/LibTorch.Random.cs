using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Generator state: src/generator_state.cpp.
internal static partial class LibTorch
{
    [LibraryImport(Lib)] internal static partial int resnetgen_get_rng_state(int deviceType, int deviceIndex, out IntPtr state);
    [LibraryImport(Lib)] internal static partial int resnetgen_set_rng_state(int deviceType, int deviceIndex, TensorHandle state);
}
