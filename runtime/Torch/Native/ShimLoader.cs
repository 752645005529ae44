using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

/// <summary>
/// Finds libresnetgen_shim.so without LD_LIBRARY_PATH: next to the application, next to this
/// assembly, in the NuGet runtimes folder, or where RESNETGEN_SHIM names it. The shim's RPATH
/// (set by CMake) then finds libtorch.
/// </summary>
internal static class ShimLoader
{
    internal const string LibraryName = "resnetgen_shim";
    private const string FileName = "libresnetgen_shim.so";

#pragma warning disable CA2255 // a module initializer is the one place this can run before any P/Invoke
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(ShimLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        // Let the default probing try (and produce the loader's own error message).
        return IntPtr.Zero;
    }

    internal static IEnumerable<string> Candidates()
    {
        var fromEnv = Environment.GetEnvironmentVariable("RESNETGEN_SHIM");
        if (!string.IsNullOrEmpty(fromEnv)) yield return fromEnv;
        // Location is empty in single-file apps; AppContext.BaseDirectory covers those.
#pragma warning disable IL3000
        var assemblyDir = Path.GetDirectoryName(typeof(ShimLoader).Assembly.Location);
#pragma warning restore IL3000
        foreach (var dir in new[] { AppContext.BaseDirectory, assemblyDir })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            yield return Path.Combine(dir, FileName);
            yield return Path.Combine(dir, "runtimes", "linux-x64", "native", FileName);
        }
    }
}
