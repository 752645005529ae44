namespace ResNetGen.Data;

/// <summary>
/// Which native path <see cref="Augment"/> takes on the CPU: its fused CPU kernels, or (set by the
/// tests that compare the two, this thread only) the generic tensor-op path CUDA always takes.
/// </summary>
internal static class AugmentPath
{
    [ThreadStatic] internal static bool ForceGeneric;
}
