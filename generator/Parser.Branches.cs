using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// Parallel branches ([Branch] ... [Join]) and pre-activation in custom [ResidualBlock] classes: the
// layout rules (RNG034, RNG035) checked while parsing, where the attributes' locations are known.
internal static partial class Parser
{
    public const string BranchAttribute = "ResNetGen.BranchAttribute";
    public const string JoinAttribute = "ResNetGen.JoinAttribute";

    /// <summary>
    /// The first layout error of a block's [Branch]/[Join] attributes (in source order), with the
    /// attribute it sits at: a join needs at least two non-empty branches before it, a group must be
    /// joined, and a [Gate] gates the whole block, so it cannot sit inside a branch.
    /// </summary>
    private static (string Message, Location? Location)? BranchProblem(List<LayerSpec> layers, List<Location?> locations, string name)
    {
        var inGroup = false;
        var branches = 0;
        var branchLayers = 0;
        Location? groupStart = null, branchStart = null;
        string Empty() => $"Custom block '{name}': branch {branches} of a [Branch] group is empty; a branch needs at least one layer";
        for (var i = 0; i < layers.Count; i++)
        {
            var location = i < locations.Count ? locations[i] : null;
            switch (layers[i].Kind)
            {
                case LayerKind.Branch:
                    if (inGroup && branchLayers == 0) return (Empty(), branchStart);
                    if (!inGroup) groupStart = location;
                    inGroup = true;
                    branches++;
                    branchLayers = 0;
                    branchStart = location;
                    break;
                case LayerKind.Join:
                    if (!inGroup) return ($"Custom block '{name}': [Join] without [Branch]es before it; a join combines two or more branches, each started by [Branch]", location);
                    if (branchLayers == 0) return (Empty(), branchStart);
                    if (branches < 2) return ($"Custom block '{name}': [Join] after a single [Branch]; a join combines two or more branches", location);
                    inGroup = false;
                    branches = 0;
                    break;
                case LayerKind.Gate:
                    if (inGroup) return ($"Custom block '{name}': a [Gate] cannot sit inside a branch; it gates the whole block, so put it outside the [Branch] ... [Join] group", location);
                    break;
                default:
                    if (inGroup) branchLayers++;
                    break;
            }
        }
        return inGroup ? ($"Custom block '{name}': a [Branch] group is never joined; end it with [Join(JoinKind.Concat)] or [Join(JoinKind.Add)]", groupStart) : null;
    }

    /// <summary>
    /// A pre-activation block needs its pre-activation: at least one layer before its first [Conv] or
    /// [Branch] (RNG035), and something after it. A highway gate has no pre-activated input to read (RNG014).
    /// </summary>
    private static (DiagnosticDescriptor Id, string Message)? PreActivationProblem(List<LayerSpec> layers, string name)
    {
        var first = layers.FindIndex(l => l.Kind is LayerKind.Conv or LayerKind.Branch);
        if (first < 0)
        {
            return (Diagnostics.PreActivationWithoutLayers, $"Custom block '{name}' sets PreActivation but has no [Conv] to pre-activate; its pre-activation is the layers before the first [Conv]");
        }
        if (first == 0)
        {
            var what = layers[0].Kind == LayerKind.Branch ? "[Branch]" : "[Conv]";
            return (Diagnostics.PreActivationWithoutLayers, $"Custom block '{name}' sets PreActivation but has no layer before its first {what}; put its pre-activation (e.g. [BatchNorm] [Relu]) first");
        }
        if (layers.Exists(l => l.Kind == LayerKind.Gate))
        {
            return (Diagnostics.BadCustomBlock, $"Custom block '{name}' sets PreActivation and has a [Gate]; a highway layer gates its raw input, so it has no pre-activation");
        }
        return null;
    }
}
