using Microsoft.CodeAnalysis;

namespace ResNetGen.Generator;

// Diagnostics of the graph forms (dense blocks, transitions, highway gates, parallel branches): RNG030-RNG039. The descriptors live in a nested class so that they are built when first read,
// whatever order the partial declarations' static fields are initialised in.
internal static partial class Diagnostics
{
    public static DiagnosticDescriptor DenseLayout => GraphRules.DenseLayout;

    public static DiagnosticDescriptor TransitionEmpty => GraphRules.TransitionEmpty;

    public static DiagnosticDescriptor GateMismatch => GraphRules.GateMismatch;

    public static DiagnosticDescriptor BranchesCannotJoin => GraphRules.BranchesCannotJoin;

    public static DiagnosticDescriptor BranchLayout => GraphRules.BranchLayout;

    public static DiagnosticDescriptor PreActivationWithoutLayers => GraphRules.PreActivationWithoutLayers;

    private static DiagnosticDescriptor[] GraphDescriptors => GraphRules.All;

    private static class GraphRules
    {
        private const string Category = "ResNetGen";

        public static readonly DiagnosticDescriptor DenseLayout = new(
            "RNG030", "Invalid dense network layout",
            "{0}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor TransitionEmpty = new(
            "RNG031", "Transition shrinks to nothing",
            "{0}: Compression {1} of {2} channels leaves {3}; a transition needs at least 1 output channel",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor GateMismatch = new(
            "RNG033", "Gate shape differs from its branch",
            "{0}: the gate outputs {1} but the branch it gates outputs {2}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor BranchesCannotJoin = new(
            "RNG032", "Branches cannot be joined",
            "{0}: {1} of branch 1 {2} and branch {3} {4}: {5}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor BranchLayout = new(
            "RNG034", "Invalid branch layout",
            "{0}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor PreActivationWithoutLayers = new(
            "RNG035", "Pre-activation block without a pre-activation",
            "{0}",
            Category, DiagnosticSeverity.Error, true);

        public static readonly DiagnosticDescriptor[] All = { DenseLayout, TransitionEmpty, GateMismatch, BranchesCannotJoin, BranchLayout, PreActivationWithoutLayers };
    }
}
