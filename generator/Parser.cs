using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ResNetGen.Generator;

/// <summary>Symbols → specs. Reads attribute data, validates ranges, records where each argument sits.</summary>
internal static partial class Parser
{
    public const string ResNetAttribute = "ResNetGen.ResNetAttribute";
    public const string StemAttribute = "ResNetGen.StemAttribute";
    public const string StageAttribute = "ResNetGen.ResidualStageAttribute";
    public const string BlockAttribute = "ResNetGen.ResidualBlockAttribute";

    private const int MaxChannels = 65536;

    // ------------------------------------------------------------------ networks

    public static ParsedNetwork ParseNetwork(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var node = (TypeDeclarationSyntax)context.TargetNode;
        var locations = new List<LocatedKey> { new(LocationKey.Class, node.Identifier.GetLocation()) };
        var diagnostics = new List<DiagnosticInfo>();
        var name = symbol.ToDisplayString();

        var resnet = context.Attributes[0];
        AddAttributeLocations(locations, resnet, LocationTarget.ResNet, -1, ct);

        var ok = CheckTypeShape(symbol, node, name, diagnostics, LocationKey.Class);

        var stages = new List<StageSpec>();
        AttributeData? stem = null;
        var stageIndex = 0;
        var dense = new List<DenseItemSpec?>();
        foreach (var attribute in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var attributeName = attribute.AttributeClass?.ToDisplayString();
            if (attributeName == StemAttribute)
            {
                stem = attribute;
                AddAttributeLocations(locations, attribute, LocationTarget.Stem, -1, ct);
            }
            else if (attributeName == StageAttribute)
            {
                AddAttributeLocations(locations, attribute, LocationTarget.Stage, stageIndex, ct);
                var stage = ParseStage(attribute, stageIndex, diagnostics);
                if (stage is null) ok = false;
                else stages.Add(stage);
                stageIndex++;
            }
            else if (TryParseDense(attributeName, attribute, dense, locations, diagnostics, ct) && dense[dense.Count - 1] is null)
            {
                ok = false;
            }
        }

        if (HasErrorArguments(resnet) || (stem is not null && HasErrorArguments(stem)))
        {
            ok = false; // the compiler already reports the bad argument
        }

        if (stageIndex == 0 && dense.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ResNetWithoutStages, LocationKey.ResNet(), name));
        }

        var named = Named(resnet);
        var inChannels = ReadInt(named, "InChannels", 3);
        var numClasses = ReadInt(named, "NumClasses", 1000);
        var inputSize = ReadInt(named, "InputSize", 0);
        var block = ReadInt(named, "Block", 0);
        var shortcut = ReadInt(named, "Shortcut", 0);
        var groups = ReadInt(named, "Groups", 1);
        var widthPerGroup = ReadInt(named, "WidthPerGroup", 64);
        var zeroInit = ReadBool(named, "ZeroInitResidual", false);
        var dropout = ReadDouble(named, "Dropout", 0);
        var dropPath = ReadDouble(named, "DropPath", 0);
        var strideOnFirst = ReadBool(named, "StrideOnFirstConv", false);
        var se = ReadInt(named, "SqueezeExcite", 0);

        void Range(LocationKey where, string what, double value, double min, double max, string text)
        {
            if (!(value >= min && value <= max))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, where, what, value, text));
            }
        }

        Range(LocationKey.ResNet("InChannels"), "InChannels", inChannels, 1, MaxChannels, $"between 1 and {MaxChannels}");
        Range(LocationKey.ResNet("NumClasses"), "NumClasses", numClasses, 0, 10_000_000, "between 0 (no head) and 10000000");
        Range(LocationKey.ResNet("InputSize"), "InputSize", inputSize, 0, 16384, "0 (unknown) or between 1 and 16384");
        Range(LocationKey.ResNet("Block"), "Block", block, 0, 3, "a BlockKind");
        Range(LocationKey.ResNet("Shortcut"), "Shortcut", shortcut, 0, 4, "a ShortcutKind");
        Range(LocationKey.ResNet("Groups"), "Groups", groups, 1, 4096, "between 1 and 4096");
        Range(LocationKey.ResNet("WidthPerGroup"), "WidthPerGroup", widthPerGroup, 1, MaxChannels, $"between 1 and {MaxChannels}");
        Range(LocationKey.ResNet("Dropout"), "Dropout", dropout, 0, 0.999999, "in [0, 1)");
        Range(LocationKey.ResNet("DropPath"), "DropPath", dropPath, 0, 0.999999, "in [0, 1)");
        Range(LocationKey.ResNet("SqueezeExcite"), "SqueezeExcite", se, 0, MaxChannels, "0 (off) or a positive reduction");

        var stemKind = 0;
        var stemFilters = 0;
        if (stem is not null)
        {
            stemKind = stem.ConstructorArguments.Length > 0 && stem.ConstructorArguments[0].Value is int k ? k : 0;
            stemFilters = ReadInt(Named(stem), "Filters", 0);
            Range(LocationKey.Stem("kind"), "Stem kind", stemKind, 0, 2, "a StemKind");
            Range(LocationKey.Stem("Filters"), "Stem Filters", stemFilters, 0, MaxChannels, $"0 (default) or between 1 and {MaxChannels}");
            if (stemKind == (int)StemKind.Deep && stemFilters % 2 == 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.Stem("Filters"), "Deep stem Filters", stemFilters, "even (the deep stem's first convolutions use Filters / 2)"));
            }
        }

        var options = ParseOptions(symbol, resnet, stem, (StemKind)stemKind, locations, diagnostics, ct);
        var image = ParseImage(symbol, resnet, dense.Count > 0, locations, diagnostics, ct);

        var members = symbol.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared)
            .Select(m => m is IMethodSymbol { MethodKind: MethodKind.Constructor, Parameters.Length: 0, IsStatic: false } ? "constructor" : m.Name)
            .Concat(symbol.GetTypeMembers().Select(t => t.Name))
            .Distinct()
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToEquatableArray();

        ok &= !diagnostics.Any(d => d.IsError);
        NetworkSpec? spec = null;
        if (ok)
        {
            spec = new NetworkSpec(
                MakeTarget(symbol, node), inChannels, numClasses, inputSize,
                (StemKind)stemKind, stemFilters,
                (BlockKind)block, (ShortcutKind)shortcut, groups, widthPerGroup,
                zeroInit, dropout, dropPath, strideOnFirst, se,
                stages.ToEquatableArray(), members, options)
            {
                Dense = dense.Count == 0 ? null : dense.Select(d => d!).ToEquatableArray(),
                Image = image,
            };
        }

        return new ParsedNetwork(name, spec, locations.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    private static StageSpec? ParseStage(AttributeData attribute, int index, List<DiagnosticInfo> diagnostics)
    {
        if (HasErrorArguments(attribute) || attribute.ConstructorArguments.Length < 2) return null;
        var args = attribute.ConstructorArguments;
        var filters = args[0].Value is int f ? f : 0;
        var blocks = args[1].Value is int b ? b : 0;
        var stride = args.Length > 2 && args[2].Value is int s ? s : 1;
        var named = Named(attribute);
        var label = $"Stage {index + 1}";

        void Range(string argument, string what, double value, double min, double max, string text)
        {
            if (!(value >= min && value <= max))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OutOfRange, LocationKey.StageAt(index, argument), $"{label} {what}", value, text));
            }
        }

        Range("filters", "filters", filters, 1, MaxChannels, $"between 1 and {MaxChannels}");
        Range("blocks", "blocks", blocks, 1, 1000, "between 1 and 1000");
        Range("stride", "stride", stride, 1, 8, "between 1 and 8");

        int? Optional(string key, double min, double max, string text)
        {
            if (!named.TryGetValue(key, out var constant) || constant.Value is not int value) return null;
            Range(key, key, value, min, max, text);
            return value;
        }

        var block = Optional("Block", 0, 3, "a BlockKind");
        var shortcut = Optional("Shortcut", 0, 4, "a ShortcutKind");
        var groups = Optional("Groups", 1, 4096, "between 1 and 4096");
        var widthPerGroup = Optional("WidthPerGroup", 1, MaxChannels, $"between 1 and {MaxChannels}");
        var dilation = Optional("Dilation", 1, 16, "between 1 and 16");
        var se = Optional("SqueezeExcite", 0, MaxChannels, "0 (off) or a positive reduction");

        string? custom = null;
        string? customDisplay = null;
        if (named.TryGetValue("CustomBlock", out var customConstant) && customConstant.Value is INamedTypeSymbol customType)
        {
            custom = customType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            customDisplay = customType.ToDisplayString();
            if (!customType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttribute))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BadCustomBlock, LocationKey.StageAt(index, "CustomBlock"),
                    $"{label}: '{customDisplay}' is not marked [ResidualBlock]"));
            }
            if (block is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Unused, LocationKey.StageAt(index, "Block"),
                    $"{label}: Block is ignored because CustomBlock is set"));
            }
        }

        return new StageSpec(filters, blocks, stride, (BlockKind?)block, custom, customDisplay, (ShortcutKind?)shortcut, groups, widthPerGroup, dilation, se,
            ParseStageOptions(named, index, diagnostics));
    }

    /// <summary>[ResidualStage] on a class without [ResNet]: RNG003 at each stage attribute.</summary>
    public static EquatableArray<DiagnosticInfo> ParseOrphanStages(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = context.TargetSymbol;
        if (symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ResNetAttribute))
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }
        var list = new List<DiagnosticInfo>();
        foreach (var attribute in context.Attributes)
        {
            ct.ThrowIfCancellationRequested();
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation();
            list.Add(DiagnosticInfo.At(Diagnostics.StagesWithoutResNet, location, symbol.ToDisplayString()));
        }
        return list.ToEquatableArray();
    }

    // ------------------------------------------------------------------ custom blocks

    public static ParsedBlock ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var node = (TypeDeclarationSyntax)context.TargetNode;
        var name = symbol.ToDisplayString();
        var pending = new List<DiagnosticInfo>();
        var located = new List<DiagnosticInfo>();
        var classLocation = node.Identifier.GetLocation();

        var ok = CheckTypeShape(symbol, node, name, pending, LocationKey.Class);
        foreach (var d in pending)
        {
            located.Add(d with { Location = classLocation });
        }

        var blockAttribute = context.Attributes[0];
        var blockNamed = Named(blockAttribute);
        var preActivation = ReadBool(blockNamed, "PreActivation", false);
        // A pre-activation block ends at its addition, as ResNet v2's, unless Activation says otherwise.
        var activation = ReadInt(blockNamed, "Activation", preActivation ? 0 : 1);
        var slope = ReadDouble(blockNamed, "NegativeSlope", 0.01);
        var shortcutInput = ReadInt(blockNamed, "ShortcutInput", 0);
        var blockLocation = blockAttribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation();
        if (shortcutInput is < 0 or > 2)
        {
            located.Add(DiagnosticInfo.At(Diagnostics.OutOfRange, blockLocation, "ShortcutInput", shortcutInput, "a ShortcutInput"));
            ok = false;
        }
        else if (shortcutInput != 0 && !preActivation)
        {
            located.Add(DiagnosticInfo.At(Diagnostics.Unused, blockLocation, $"Custom block '{name}': ShortcutInput applies to PreActivation blocks (a post-activation block's shortcut reads its input)"));
        }
        if (activation is < 0 or > 2)
        {
            located.Add(DiagnosticInfo.At(Diagnostics.OutOfRange, blockLocation, "Activation", activation, "an ActivationKind"));
            ok = false;
        }
        if (double.IsNaN(slope) || double.IsInfinity(slope))
        {
            located.Add(DiagnosticInfo.At(Diagnostics.OutOfRange, blockLocation, "NegativeSlope", slope, "finite"));
            ok = false;
        }

        var layers = new List<LayerSpec>();
        var layerLocations = new List<Location?>();
        foreach (var attribute in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var kind = attribute.AttributeClass?.ToDisplayString() switch
            {
                "ResNetGen.ConvAttribute" => LayerKind.Conv,
                "ResNetGen.BatchNormAttribute" => LayerKind.BatchNorm,
                "ResNetGen.ReluAttribute" => LayerKind.Relu,
                "ResNetGen.LeakyReluAttribute" => LayerKind.LeakyRelu,
                "ResNetGen.MaxPoolAttribute" => LayerKind.MaxPool,
                "ResNetGen.AvgPoolAttribute" => LayerKind.AvgPool,
                "ResNetGen.DropoutAttribute" => LayerKind.Dropout,
                "ResNetGen.SqueezeExciteAttribute" => LayerKind.SqueezeExcite,
                GateAttribute => LayerKind.Gate,
                BranchAttribute => LayerKind.Branch,
                JoinAttribute => LayerKind.Join,
                _ => (LayerKind?)null,
            };
            if (kind is null) continue;
            if (HasErrorArguments(attribute))
            {
                ok = false;
                continue;
            }
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation();
            var named = Named(attribute);
            var first = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value : null;
            var kernel = kind != LayerKind.Join && first is int k ? k : kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool ? 3 : 1;
            var value = kind switch
            {
                LayerKind.LeakyRelu => first is double s ? s : 0.01,
                LayerKind.Dropout => first is double p ? p : 0.5,
                LayerKind.Gate => ReadDouble(named, "InitialBias", -1),
                _ => 0.0,
            };
            var reduction = kind == LayerKind.SqueezeExcite ? (first is int r ? r : 16) : 0;
            var layer = new LayerSpec(
                kind.Value, kind == LayerKind.SqueezeExcite ? 1 : kernel,
                ReadInt(named, "Expansion", 1), ReadInt(named, "Filters", 0), ReadInt(named, "Stride", 1),
                ReadBool(named, "Strided", false), ReadInt(named, "Padding", -1), ReadInt(named, "Dilation", 1),
                ReadInt(named, "Groups", 1), ReadBool(named, "Bias", false), value, reduction,
                ReadBool(named, "ZeroInitTarget", false), layers.Count)
            {
                Join = kind == LayerKind.Join && first is int join ? (JoinKind)join : JoinKind.Concat,
            };

            void Check(string what, double v, double min, double max)
            {
                if (!(v >= min && v <= max))
                {
                    located.Add(DiagnosticInfo.At(Diagnostics.OutOfRange, location,
                        $"{kind} {what}", v, $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"));
                    ok = false;
                }
            }

            Check("kernel size", layer.Kernel, 1, 15);
            Check("expansion", layer.Expansion, 1, 64);
            Check("filters", layer.Filters, 0, MaxChannels);
            Check("stride", layer.Stride, 1, 8);
            Check("padding", layer.Padding, -1, 64);
            Check("dilation", layer.Dilation, 1, 16);
            Check("groups", layer.Groups, 1, 4096);
            if (kind == LayerKind.Dropout) Check("probability", layer.Value, 0, 0.999999);
            if (kind == LayerKind.LeakyRelu) Check("negative slope", layer.Value, -1e6, 1e6);
            if (kind == LayerKind.SqueezeExcite) Check("reduction", layer.Reduction, 1, MaxChannels);
            if (kind == LayerKind.Gate) Check("initial bias", layer.Value, -1e6, 1e6);
            if (kind == LayerKind.Join) Check("kind", (int)layer.Join, 0, 1);
            if (kind is LayerKind.MaxPool or LayerKind.AvgPool && layer.Padding > layer.Kernel / 2)
            {
                located.Add(DiagnosticInfo.At(Diagnostics.OutOfRange, location,
                    $"{kind} padding", layer.Padding, "at most half the kernel size (as PyTorch requires)"));
                ok = false;
            }
            layers.Add(layer);
            layerLocations.Add(location);
        }

        var bodyLayers = layers.Where(l => l.Kind is not (LayerKind.Branch or LayerKind.Join)).ToList();
        if (bodyLayers.Count == 0)
        {
            located.Add(Block(classLocation, $"Custom block '{name}' has no layer attributes ([Conv], [BatchNorm], [Relu], ...)"));
            ok = false;
        }
        else if (GateProblem(bodyLayers, name) is { } gateProblem)
        {
            located.Add(Block(classLocation, gateProblem));
            ok = false;
        }
        else if (layers.Count(l => l.Strided) > 1)
        {
            located.Add(Block(classLocation, $"Custom block '{name}' marks more than one layer Strided"));
            ok = false;
        }
        else if (BranchProblem(layers, layerLocations, name) is { } branchProblem)
        {
            located.Add(DiagnosticInfo.At(Diagnostics.BranchLayout, branchProblem.Location ?? classLocation, branchProblem.Message));
            ok = false;
        }
        else if (preActivation && PreActivationProblem(layers, name) is { } preActProblem)
        {
            located.Add(DiagnosticInfo.At(preActProblem.Id, blockLocation ?? classLocation, preActProblem.Message));
            ok = false;
        }

        var metadata = symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var spec = new CustomBlockSpec(metadata, MakeTarget(symbol, node), (ActivationKind)Math.Max(0, Math.Min(2, activation)), slope, layers.ToEquatableArray(), ok)
        {
            PreActivation = preActivation,
            ShortcutInput = (ShortcutInput)Math.Max(0, Math.Min(2, shortcutInput)),
        };
        return new ParsedBlock(spec, located.ToEquatableArray());
    }

    private static DiagnosticInfo Block(Location location, string message) =>
        DiagnosticInfo.At(Diagnostics.BadCustomBlock, location, message);

    // ------------------------------------------------------------------ helpers

    private static bool CheckTypeShape(INamedTypeSymbol symbol, TypeDeclarationSyntax node, string name, List<DiagnosticInfo> diagnostics, LocationKey where)
    {
        var ok = true;
        for (SyntaxNode? current = node; current is TypeDeclarationSyntax type; current = current.Parent)
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotPartial, where, type == node ? name : type.Identifier.Text));
                ok = false;
                break;
            }
        }

        for (var t = symbol; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Generic, where, name));
                ok = false;
                break;
            }
        }

        if (node is RecordDeclarationSyntax)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RecordNotSupported, where, name));
            ok = false;
        }
        else if (symbol.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.StaticNotSupported, where, name));
            ok = false;
        }
        if (symbol.BaseType is { SpecialType: not SpecialType.System_Object } baseType && baseType.TypeKind != TypeKind.Error)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.HasBaseClass, where, name, baseType.ToDisplayString()));
            ok = false;
        }
        return ok;
    }

    private static TypeTarget MakeTarget(INamedTypeSymbol symbol, TypeDeclarationSyntax node)
    {
        var ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var containers = new List<ContainingType>();
        for (var parent = node.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            var keyword = parent switch
            {
                RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
                _ => parent.Keyword.Text,
            };
            containers.Insert(0, new ContainingType(keyword, parent.Identifier.Text));
        }
        var accessibility = symbol.DeclaredAccessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Private => "private",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "internal",
        };
        return new TypeTarget(ns, containers.ToEquatableArray(), symbol.Name, accessibility, symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
    }

    private static void AddAttributeLocations(List<LocatedKey> locations, AttributeData attribute, LocationTarget target, int stage, CancellationToken ct)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return;
        locations.Add(new LocatedKey(new LocationKey(target, stage, ""), syntax.GetLocation()));
        if (syntax.ArgumentList is null) return;
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        var position = 0;
        foreach (var argument in syntax.ArgumentList.Arguments)
        {
            string? key;
            if (argument.NameEquals is not null) key = argument.NameEquals.Name.Identifier.Text;
            else if (argument.NameColon is not null) key = argument.NameColon.Name.Identifier.Text;
            else key = position < parameters.Length ? parameters[position++].Name : null;
            if (key is not null)
            {
                locations.Add(new LocatedKey(new LocationKey(target, stage, key), argument.GetLocation()));
            }
        }
    }

    private static bool HasErrorArguments(AttributeData attribute) =>
        attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error) ||
        attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error) ||
        attribute.AttributeConstructor is null;

    private static Dictionary<string, TypedConstant> Named(AttributeData attribute)
    {
        var map = new Dictionary<string, TypedConstant>(StringComparer.Ordinal);
        foreach (var pair in attribute.NamedArguments) map[pair.Key] = pair.Value;
        return map;
    }

    private static int ReadInt(Dictionary<string, TypedConstant> named, string key, int fallback) =>
        named.TryGetValue(key, out var c) && c.Value is int i ? i : fallback;

    private static bool ReadBool(Dictionary<string, TypedConstant> named, string key, bool fallback) =>
        named.TryGetValue(key, out var c) && c.Value is bool b ? b : fallback;

    private static double ReadDouble(Dictionary<string, TypedConstant> named, string key, double fallback) =>
        named.TryGetValue(key, out var c) ? c.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            _ => fallback,
        } : fallback;
}
