namespace ResNetGen.Torch.Native;

/// <summary>
/// Turns the message of a failed native call into the exception to throw. A higher layer
/// registers the messages that are its own (the distributed layer: a collective that failed
/// inside autograd's backward is a process-group failure), so no Torch type names its exception
/// types; every other message becomes a <see cref="TorchException"/>.
/// </summary>
internal static class NativeErrors
{
    private static readonly object Gate = new();
    private static Func<string, Exception?>[] translators = [];

    /// <summary>Adds <paramref name="translate"/>: it returns the exception for a message it owns, else null.</summary>
    internal static void Register(Func<string, Exception?> translate)
    {
        ArgumentNullException.ThrowIfNull(translate);
        lock (Gate) translators = [.. translators, translate];
    }

    internal static Exception ToException(string message)
    {
        foreach (var translate in Volatile.Read(ref translators))
            if (translate(message) is { } owned) return owned;
        return new TorchException(message);
    }
}
