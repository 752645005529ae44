namespace ResNetGen.Generator;

internal static partial class Lowering
{
    private sealed partial class Context
    {
        private bool reportedShortcutInput;

        /// <summary>The declared input height and width: InputHeight × InputWidth, else InputSize × InputSize (0 × 0 = unknown).</summary>
        private (int Height, int Width) InputHeightWidth() =>
            spec.Config.InputHeight > 0 ? (spec.Config.InputHeight, spec.Config.InputWidth) : (spec.InputSize, spec.InputSize);

        private static bool IsPreActKind(BlockKind kind) => kind is BlockKind.PreActBasic or BlockKind.PreActBottleneck;

        /// <summary>The stage's block options that only some blocks can honour; false after an error.</summary>
        private bool CheckStageOptions(int index, StageSpec stage, BlockKind kind, CustomBlockSpec? custom)
        {
            var label = $"Stage {index + 1}";
            var blockName = custom is not null ? $"custom block '{custom.Target.Name}'" : $"BlockKind.{kind}";
            var ok = true;
            if (stage.Config.Expansion is { } expansion)
            {
                if (custom is not null)
                {
                    Report(Diagnostics.Unused, LocationKey.StageAt(index, "Expansion"), $"{label}: Expansion applies to bottleneck blocks; a custom block sets it on its [Conv] attributes");
                }
                else if (kind is BlockKind.Basic or BlockKind.PreActBasic && expansion != 1)
                {
                    Report(Diagnostics.BasicBlockUnsupported, LocationKey.StageAt(index, "Expansion"), label, $"Expansion {expansion}");
                    ok = false;
                }
            }
            if (stage.Config.SkipFirstPreActivation && (custom is not null || !IsPreActKind(kind)))
            {
                Report(Diagnostics.NeedsPreActivation, LocationKey.StageAt(index, "SkipFirstPreActivation"), "SkipFirstPreActivation", label, blockName);
                ok = false;
            }
            if (custom is not null && stage.Config.BlockDropout is > 0)
            {
                Report(Diagnostics.Unused, LocationKey.StageAt(index, "BlockDropout"), $"{label}: BlockDropout applies to built-in blocks; add [Dropout] to the custom block instead");
            }
            if (spec.Config.Shortcut.Input == ShortcutInput.PreActivated && (custom is { PreActivation: false } || (custom is null && !IsPreActKind(kind))) && !reportedShortcutInput)
            {
                reportedShortcutInput = true;
                Report(Diagnostics.NeedsPreActivation, LocationKey.Shortcut("Input"), "ShortcutInput.PreActivated", label, blockName);
                ok = false;
            }
            else if (custom is { PreActivation: true } && spec.Config.Shortcut.Input != ShortcutInput.Auto
                && (spec.Config.Shortcut.Input == ShortcutInput.Raw) != (custom.ShortcutInput == ShortcutInput.Raw) && !reportedShortcutInput)
            {
                // The block class is shared by every network, so it carries its own choice.
                reportedShortcutInput = true;
                Report(Diagnostics.Unused, LocationKey.Shortcut("Input"),
                    $"{label}: {blockName} reads the {(custom.ShortcutInput == ShortcutInput.Raw ? "raw" : "pre-activated")} input for its shortcut; set ShortcutInput on its [ResidualBlock] to change that ([Shortcut(Input)] applies to built-in blocks)");
            }
            return ok;
        }

        /// <summary>The built-in block variant a stage asks for (the default is torchvision's block).</summary>
        private BuiltInOptions BlockOptions(StageSpec stage, BlockKind kind) => new(
            spec.Config.ConvBias,
            stage.Config.BlockDropout ?? spec.Config.BlockDropout,
            false,
            IsPreActKind(kind) ? spec.Config.Shortcut.Input : ShortcutInput.Auto);

        /// <summary>A [Shortcut] kernel and padding that change the size other than by the stride.</summary>
        private bool IrregularShortcut(string kindName)
        {
            var s = spec.Config.Shortcut;
            var padding = s.Padding >= 0 ? s.Padding : (s.Kernel - 1) / 2;
            return kindName is "projection" or "avgdown" && 2 * padding != s.Kernel - 1;
        }

        /// <summary>RNG021 at the [Shortcut] attribute when its own kernel or padding is what cannot match; false otherwise.</summary>
        private bool ReportShortcutMismatch(string kindName, string label, Shape shortcut, Shape branch)
        {
            var s = spec.Config.Shortcut;
            if (kindName is not ("projection" or "avgdown") || !s.Declared || (s.Kernel == 1 && s.Padding < 0)) return false;
            var padding = s.Padding >= 0 ? s.Padding : (s.Kernel - 1) / 2;
            Report(Diagnostics.ShortcutCannotMatch, LocationKey.Shortcut(s.Padding >= 0 ? "Padding" : "KernelSize"), label, s.Kernel, padding, shortcut, branch);
            return true;
        }
    }
}
