using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

/// <summary>Diagnostics of the configurable forms ([Stem] options, [Shortcut], [Head], non-square inputs): RNG020–RNG029.</summary>
internal static partial class Diagnostics
{
    public static readonly DiagnosticDescriptor FlattenNeedsInputSize = new(
        "RNG020", "A flatten head needs the input size",
        "'{0}' flattens its last feature map, whose size is unknown: declare InputSize (or InputHeight and InputWidth) on [ResNet], or pool with HeadPool.GlobalAverage",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ShortcutCannotMatch = new(
        "RNG021", "Shortcut cannot match the residual branch",
        "{0}: the [Shortcut] convolution ({1}×{1}, padding {2}) gives {3} but the residual branch gives {4}; use a kernel and padding that keep the size up to the stride (padding = (kernel − 1) / 2)",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor InputSizeConflict = new(
        "RNG022", "Input height and width are incomplete or contradict InputSize",
        "{0}",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NeedsPreActivation = new(
        "RNG023", "Option needs pre-activation blocks",
        "{0} applies to pre-activation blocks only (BlockKind.PreActBasic or PreActBottleneck), and {1} uses {2}",
        Category, DiagnosticSeverity.Error, true);

    private static readonly DiagnosticDescriptor[] ConfigurationDescriptors =
    {
        FlattenNeedsInputSize, ShortcutCannotMatch, InputSizeConflict, NeedsPreActivation,
    };
}
