using Xunit;

namespace ResNetGen.Runtime.Tests.Core;

/// <summary>
/// Tests that expect exact numbers from libtorch's process-wide default generator between
/// seeding (or restoring) it and drawing. xunit runs the other test classes in parallel, and many
/// of them seed it and draw from it, so these run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "global generator";
}
