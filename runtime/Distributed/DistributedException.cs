namespace ResNetGen.Distributed;

/// <summary>
/// A failed rendezvous or collective: a peer that died or left, a timeout, a port in use, a
/// mismatched call. The message is c10d's (without the C++ backtrace), prefixed with what
/// failed, the backend, this rank and the timeout. After one, the group is unusable: dispose it.
/// </summary>
public sealed class DistributedException : Exception
{
    public DistributedException(string message) : base(message) { }

    public DistributedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The torchrun environment contract is missing a variable or holds an invalid one.</summary>
public sealed class DistributedEnvironmentException : Exception
{
    public DistributedEnvironmentException(string message) : base(message) { }
}
