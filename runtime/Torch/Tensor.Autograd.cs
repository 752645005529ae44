using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

public partial class Tensor
{
    public bool requires_grad
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_tensor_requires_grad(Handle, out var value));
            return value != 0;
        }
        set => LibTorch.Check(LibTorch.resnetgen_tensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>The accumulated gradient, or null. Each read returns a new handle to it.</summary>
    public Tensor? grad
    {
        get
        {
            LibTorch.Check(LibTorch.resnetgen_tensor_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set
        {
            if (value is null)
            {
                LibTorch.Check(LibTorch.resnetgen_tensor_set_grad(Handle, IntPtr.Zero));
                return;
            }
            var h = value.Handle;
            var added = false;
            try
            {
                h.DangerousAddRef(ref added);
                LibTorch.Check(LibTorch.resnetgen_tensor_set_grad(Handle, h.DangerousGetHandle()));
            }
            finally
            {
                if (added) h.DangerousRelease();
            }
        }
    }

    // Backward may run other layers' native code (a synchronized batch norm all-reduces inside
    // it): their failures keep the exception type those layers registered for them.
    private static void CheckBackward(int status)
    {
        if (status != 0) throw NativeErrors.ToException(LibTorch.LastError());
    }

    /// <summary>Back-propagates from this tensor (a scalar, or given <paramref name="gradient"/>).</summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false)
    {
        if (gradient is null)
        {
            CheckBackward(LibTorch.resnetgen_tensor_backward(Handle, IntPtr.Zero, retain_graph ? 1 : 0));
            return;
        }
        var h = gradient.Handle;
        var added = false;
        try
        {
            h.DangerousAddRef(ref added);
            CheckBackward(LibTorch.resnetgen_tensor_backward(Handle, h.DangerousGetHandle(), retain_graph ? 1 : 0));
        }
        finally
        {
            if (added) h.DangerousRelease();
        }
    }
}

public static partial class torch
{
    /// <summary>Clears (or drops) the gradients of many tensors in one native call: what Module and Optimizer zero_grad share.</summary>
    internal static unsafe void zero_grad(IReadOnlyList<Tensor> tensors, bool set_to_none)
    {
        var args = new NativeArgs();
        try
        {
            var handles = args.List(tensors);
            fixed (IntPtr* h = handles) LibTorch.Check(LibTorch.resnetgen_zero_grad(h, handles.Length, set_to_none ? 1 : 0));
        }
        finally
        {
            args.Dispose();
        }
    }
}
