using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>
/// Passing optional tensors and tensor lists to the shim: raw handles held alive (AddRef) for
/// the duration of the call, so a concurrent Dispose can never free them mid-call.
/// </summary>
internal ref struct NativeArgs
{
    private TensorHandle?[]? held;
    private int count;

    /// <summary>The raw handle of an optional tensor (zero for null), kept alive until Dispose.</summary>
    public IntPtr Optional(Tensor? tensor)
    {
        if (tensor is null) return IntPtr.Zero;
        var handle = tensor.Handle;
        var added = false;
        handle.DangerousAddRef(ref added);
        held ??= new TensorHandle?[4];
        if (count == held.Length) Array.Resize(ref held, count * 2);
        held[count++] = handle;
        return handle.DangerousGetHandle();
    }

    public IntPtr[] List(IReadOnlyList<Tensor> tensors)
    {
        var result = new IntPtr[tensors.Count];
        for (var i = 0; i < result.Length; i++)
            result[i] = Optional(tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"tensor {i} is null"));
        return result;
    }

    public void Dispose()
    {
        for (var i = 0; i < count; i++) held![i]!.DangerousRelease();
        count = 0;
    }
}
