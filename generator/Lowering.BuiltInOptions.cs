namespace ResNetGen.Generator;

/// <summary>
/// Variations of a built-in block from the configurable forms: biased convolutions (Keras), dropout
/// between the convolutions (Wide ResNet), a pre-activation block without its leading BN-ReLU (the first
/// unit after a BN-ReLU stem), and which input a pre-activation block's shortcut reads.
/// <see cref="Default"/> is torchvision's block.
/// </summary>
internal sealed record BuiltInOptions(bool Bias, double Dropout, bool SkipPreActivation, ShortcutInput Input)
{
    public static readonly BuiltInOptions Default = new(false, 0, false, ShortcutInput.Auto);

    /// <summary>The class name and description of the variant (the default keeps torchvision's names).</summary>
    public (string Name, string Description) Describe(string name, string description)
    {
        if (Bias) description += ", convolutions with bias";
        if (Dropout > 0) description += $", dropout {Emitter.Double(Dropout)} between the convolutions";
        if (SkipPreActivation)
        {
            name += "NoPreAct";
            description += ", without the leading BN-ReLU (its input is already activated)";
        }
        if (Input == ShortcutInput.Raw && !SkipPreActivation) description += ", shortcut from the raw input";
        return (name, description);
    }
}
