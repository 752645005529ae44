namespace ResNetGen.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and disposes
/// them when it ends, so a training step frees its intermediates deterministically instead of
/// waiting for the GC. Parameters are never collected. Scopes nest; a tensor that must outlive
/// the scope is moved out with <see cref="Tensor.MoveToOuterDisposeScope"/> or
/// <see cref="Tensor.DetachFromDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly DisposeScope? outer;
    private readonly HashSet<Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost scope of this thread, or null.</summary>
    public static DisposeScope? Current => current;

    /// <summary>How many live tensors this scope will dispose.</summary>
    public int Count => tensors.Count;

    internal static void RegisterIfActive(Tensor tensor)
    {
        var scope = current;
        if (scope is null) return;
        scope.tensors.Add(tensor);
        tensor.OwningScope = scope;
    }

    internal void Remove(Tensor tensor)
    {
        tensors.Remove(tensor);
        tensor.OwningScope = null;
    }

    internal void MoveToOuter(Tensor tensor)
    {
        Remove(tensor);
        if (outer is null) return;
        outer.tensors.Add(tensor);
        tensor.OwningScope = outer;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var tensor in tensors)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }
        tensors.Clear();
        // Scopes end in the reverse order of creation; an out-of-order end unwinds to our outer.
        if (ReferenceEquals(current, this)) current = outer;
        else if (current is not null) current = FirstLiveOuter(current);
    }

    private static DisposeScope? FirstLiveOuter(DisposeScope? scope)
    {
        while (scope is not null && scope.disposed) scope = scope.outer;
        return scope;
    }
}
