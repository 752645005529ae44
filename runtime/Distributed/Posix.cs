using System.Runtime.InteropServices;

namespace ResNetGen.Distributed;

/// <summary>The few libc calls the launcher needs that .NET does not expose: sending a chosen signal, the parent-death signal.</summary>
internal static partial class Posix
{
    // Linux numbers (also macOS's for these three).
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;
    private const int PR_SET_PDEATHSIG = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int SysPrctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int SysGetppid();

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it is gone (or not Unix).</summary>
    public static bool Kill(int pid, int signal) => !OperatingSystem.IsWindows() && SysKill(pid, signal) == 0;

    public static int ParentProcessId() => OperatingSystem.IsWindows() ? -1 : SysGetppid();

    /// <summary>Linux: the kernel sends <paramref name="signal"/> to this process when its parent dies.</summary>
    public static bool SetParentDeathSignal(int signal) =>
        OperatingSystem.IsLinux() && SysPrctl(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0) == 0;

    public static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => SIGINT,
        PosixSignal.SIGTERM => SIGTERM,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "only SIGINT and SIGTERM are forwarded"),
    };
}
