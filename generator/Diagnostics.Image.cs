using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// Diagnostics of the image-output forms ([FeatureFusion], [Reconstruction], PixelShuffle): RNG040–RNG049.
// Nested like the graph rules, so the descriptors are built when first read whatever order the partial
// declarations' static fields are initialised in.
internal static partial class Diagnostics
{
    public static DiagnosticDescriptor PixelShuffleChannels => ImageRules.PixelShuffleChannels;

    public static DiagnosticDescriptor BadImageOption => ImageRules.BadImageOption;

    public static DiagnosticDescriptor ImageNotApplicable => ImageRules.ImageNotApplicable;

    private static DiagnosticDescriptor[] ImageDescriptors => ImageRules.All;

    private static class ImageRules
    {
        private const string Category = "ResNetGen";

        public static readonly DiagnosticDescriptor PixelShuffleChannels = new(
            "RNG040", "PixelShuffle channels not divisible by the square of its factor",
            "{0}: PixelShuffle({1}) receives {3}, and its {4} channels are not divisible by {1}² = {2}; choose Filters as a multiple of {2}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor BadImageOption = new(
            "RNG041", "Invalid reconstruction or fusion option",
            "{0}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor ImageNotApplicable = new(
            "RNG042", "Feature fusion or reconstruction cannot apply to this network",
            "{0}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor[] All = { PixelShuffleChannels, BadImageOption, ImageNotApplicable };
    }
}
