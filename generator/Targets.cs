using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

/// <summary>
/// Chooses the runtime generated code is written for: TorchSharp when the compilation references
/// <c>TorchSharp.torch</c>, ResNetGen.Torch when it references ResNetGen.Runtime; the MSBuild property
/// <c>ResNetGenTarget</c> (<c>TorchSharp</c> | <c>ResNetGenTorch</c>, made visible to the compiler with
/// <c>&lt;CompilerVisibleProperty Include="ResNetGenTarget" /&gt;</c>) decides when both are referenced.
/// </summary>
internal static class Targets
{
    public const string Property = "build_property.ResNetGenTarget";
    public const string TorchSharpType = "TorchSharp.torch";
    public const string RuntimeType = "ResNetGen.Torch.Tensor";

    private const string TorchSharpPackages = "TorchSharp-cpu (or another TorchSharp flavour) and ResNetGen.TorchSharp";
    private const string RuntimePackages = "ResNetGen (ResNetGen.Runtime)";

    /// <summary>Which of the two runtimes the compilation references (a pair of booleans: cheap to compare, so the step caches).</summary>
    public static (bool TorchSharp, bool Runtime) Referenced(Compilation compilation) =>
        (compilation.GetTypeByMetadataName(TorchSharpType) is not null, compilation.GetTypeByMetadataName(RuntimeType) is not null);

    public static TargetChoice Choose(bool torchSharp, bool runtime, string? property)
    {
        var value = property?.Trim() ?? "";
        if (value.Length > 0)
        {
            if (string.Equals(value, "TorchSharp", System.StringComparison.OrdinalIgnoreCase))
            {
                return torchSharp ? new(TargetKind.TorchSharp, null)
                    : new(TargetKind.None, $"ResNetGenTarget is TorchSharp but the project does not reference TorchSharp; add package references to {TorchSharpPackages}");
            }
            if (string.Equals(value, "ResNetGenTorch", System.StringComparison.OrdinalIgnoreCase))
            {
                return runtime ? new(TargetKind.ResNetGenTorch, null)
                    : new(TargetKind.None, $"ResNetGenTarget is ResNetGenTorch but the project does not reference ResNetGen.Runtime; add a package reference to {RuntimePackages}");
            }
            return new(TargetKind.None, $"ResNetGenTarget '{value}' is not a target; use TorchSharp or ResNetGenTorch");
        }
        if (torchSharp && runtime)
        {
            return new(TargetKind.None, "The project references both TorchSharp and ResNetGen.Runtime; choose the target of the generated code with <ResNetGenTarget>TorchSharp</ResNetGenTarget> (or ResNetGenTorch) and <CompilerVisibleProperty Include=\"ResNetGenTarget\" />");
        }
        if (torchSharp) return new(TargetKind.TorchSharp, null);
        if (runtime) return new(TargetKind.ResNetGenTorch, null);
        return new(TargetKind.None, $"The generated network needs a runtime: add package references to {TorchSharpPackages} (TorchSharp target), or to {RuntimePackages} (ResNetGen.Torch target)");
    }
}
