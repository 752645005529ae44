using System.Runtime.InteropServices;

namespace ResNetGen.Torch.Native;

/// <summary>
/// Owns one object the shim allocated (a tensor, a process group, a gradient reducer).
/// SafeHandle releases it exactly once, even when a finalizer races <c>Dispose</c>, and keeps
/// it alive while a P/Invoke that was passed the handle runs. Subclasses name the shim's free
/// function.
/// </summary>
internal abstract class NativeHandle : SafeHandle
{
    protected NativeHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    protected NativeHandle(IntPtr handle) : this() => SetHandle(handle);

    public sealed override bool IsInvalid => handle == IntPtr.Zero;

    protected sealed override bool ReleaseHandle() => Free(handle);

    /// <summary>Frees the native object; false when the shim reports a failure.</summary>
    protected abstract bool Free(IntPtr handle);
}
