namespace ResNetGen.Torch;

/// <summary>An error raised by libtorch, carrying its message (without the C++ backtrace).</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
