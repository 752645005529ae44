using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

// Mixed precision: src/amp.cpp.
internal static unsafe partial class LibTorch
{
    [LibraryImport(Lib)] internal static partial int resnetgen_autocast_enter(int deviceType, int enabled, int dtype, out int prevEnabled, out int prevDtype);
    [LibraryImport(Lib)] internal static partial int resnetgen_autocast_exit(int deviceType, int prevEnabled, int prevDtype);
    [LibraryImport(Lib)] internal static partial int resnetgen_autocast_is_enabled(int deviceType, out int enabled);
    [LibraryImport(Lib)] internal static partial int resnetgen_amp_unscale_(IntPtr* parameters, int count, double invScale, out int foundInf);
}
