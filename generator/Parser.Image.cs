using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// The image-output attributes ([FeatureFusion], [Reconstruction]) of a [ResNet] class: range checks
// here (RNG041), the checks that need shapes in lowering (RNG040, RNG042).
internal static partial class Parser
{
    public const string FeatureFusionAttribute = "ResNetGen.FeatureFusionAttribute";
    public const string ReconstructionAttribute = "ResNetGen.ReconstructionAttribute";

    /// <summary>The largest upscaling factor accepted (×16 is already far beyond the literature's ×8).</summary>
    private const int MaxScale = 16;

    /// <summary>
    /// Reads [FeatureFusion] and [Reconstruction] (null when neither is present) and records where
    /// their arguments sit. Invalid values are reported as errors (the caller then builds no spec).
    /// </summary>
    private static ImageSpec? ParseImage(INamedTypeSymbol symbol, AttributeData resnet, bool dense, List<LocatedKey> locations, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        FusionSpec? fusion = null;
        ReconstructionSpec? reconstruction = null;
        bool hasFusion = false, hasReconstruction = false;
        foreach (var attribute in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name == FeatureFusionAttribute)
            {
                hasFusion = true;
                AddAttributeLocations(locations, attribute, LocationTarget.Fusion, -1, ct);
                if (HasErrorArguments(attribute)) continue; // the compiler reports the bad argument
                var named = Named(attribute);
                var filters = ReadInt(named, "Filters", 0);
                if (!(filters >= 0 && filters <= MaxChannels))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BadImageOption, LocationKey.Fusion("Filters"),
                        $"[FeatureFusion] Filters is {filters}; it must be 0 (the last stage's channels) or between 1 and {MaxChannels}"));
                    continue;
                }
                fusion = new FusionSpec(filters, OptionalBool(named, "Bias"));
            }
            else if (name == ReconstructionAttribute)
            {
                hasReconstruction = true;
                AddAttributeLocations(locations, attribute, LocationTarget.Reconstruction, -1, ct);
                if (HasErrorArguments(attribute)) continue;
                reconstruction = ParseReconstruction(attribute, diagnostics);
            }
        }
        if (!hasFusion && !hasReconstruction) return null;

        if (dense)
        {
            // A DenseNet concatenates inside its blocks and is emitted in torchvision's layout, which has no place for these.
            foreach (var (isPresent, key, label) in new[] { (hasFusion, LocationKey.Fusion(), "[FeatureFusion]"), (hasReconstruction, LocationKey.Reconstruction(), "[Reconstruction]") })
            {
                if (!isPresent) continue;
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ImageNotApplicable, key,
                    $"{label} cannot apply to '{symbol.ToDisplayString()}', a DenseNet ([DenseBlock]/[Transition]): it applies to networks of [ResidualStage] attributes"));
            }
            return null;
        }

        var resnetNamed = Named(resnet);
        if (reconstruction is not null && resnetNamed.ContainsKey("NumClasses"))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unused, LocationKey.ResNet("NumClasses"),
                "NumClasses has no effect: [Reconstruction] makes the network output an image, with no classifier"));
        }
        if (reconstruction is not null && symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == HeadAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unused, LocationKey.Head(),
                "[Head] has no effect: [Reconstruction] replaces the classifier head with an image-output tail"));
        }
        if (reconstruction is not null && resnetNamed.ContainsKey("Dropout") && ReadDouble(resnetNamed, "Dropout", 0) > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unused, LocationKey.ResNet("Dropout"),
                "Dropout applies to the classifier head, which [Reconstruction] replaces"));
        }
        return new ImageSpec(fusion, reconstruction);
    }

    private static ReconstructionSpec? ParseReconstruction(AttributeData attribute, List<DiagnosticInfo> diagnostics)
    {
        var before = diagnostics.Count;
        var named = Named(attribute);
        var scale = attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value is int s ? s : 0;
        var outChannels = ReadInt(named, "OutChannels", 0);
        var filters = ReadInt(named, "Filters", 0);
        var kernel = ReadInt(named, "KernelSize", 3);

        void Check(string argument, bool valid, string message)
        {
            if (!valid) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BadImageOption, LocationKey.Reconstruction(argument), message));
        }

        Check("scale", scale >= 2 && scale <= MaxScale, $"[Reconstruction] scale is {scale}; it must be between 2 and {MaxScale} (the output is scale × the input's height and width)");
        Check("OutChannels", outChannels >= 0 && outChannels <= MaxChannels, $"[Reconstruction] OutChannels is {outChannels}; it must be 0 (InChannels) or between 1 and {MaxChannels}");
        Check("Filters", filters >= 0 && filters <= MaxChannels, $"[Reconstruction] Filters is {filters}; it must be 0 (F·r² per step) or between 1 and {MaxChannels}");
        Check("KernelSize", kernel >= 1 && kernel <= MaxKernel && kernel % 2 == 1,
            $"[Reconstruction] KernelSize is {kernel}; it must be odd and between 1 and {MaxKernel} (padding KernelSize / 2 then keeps the size)");
        if (diagnostics.Count > before) return null;
        return new ReconstructionSpec(scale, outChannels, filters, ReadBool(named, "LeadingConv", true), kernel, OptionalBool(named, "Bias"));
    }
}
