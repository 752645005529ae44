using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ResNetGen.Generator;

/// <summary>
/// Turns classes marked [ResNet] + [ResidualStage] (and [ResidualBlock] user blocks) into typed modules
/// for the target the compilation references (TorchSharp or ResNetGen.Torch). Pipeline (tracking names
/// in <see cref="Steps"/>): attributes → <c>Parse</c> (spec + located diagnostics) → <c>Analyse</c>
/// (lowering to the IR, shape inference, counting; with the collected custom blocks and the target) →
/// <c>Model</c> (equatable, location-free) → <c>Emit</c> (the target's dialect) → source. Diagnostics
/// travel in their own branch so that a model that did not change is never re-emitted.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ResNetGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps (for incrementality tests).</summary>
    public static class Steps
    {
        public const string Target = "ResNetGen.Target";
        public const string Parse = "ResNetGen.Parse";
        public const string Analyse = "ResNetGen.Analyse";
        public const string Model = "ResNetGen.Model";
        public const string Emit = "ResNetGen.Emit";
        public const string Blocks = "ResNetGen.Blocks";
        public const string BlockSpecs = "ResNetGen.BlockSpecs";
        public const string BlockEmit = "ResNetGen.BlockEmit";
        public const string OrphanStages = "ResNetGen.OrphanStages";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var target = context.CompilationProvider
            .Select(static (c, _) => Targets.Referenced(c))
            .Combine(context.AnalyzerConfigOptionsProvider.Select(static (o, _) => o.GlobalOptions.TryGetValue(Targets.Property, out var v) ? v : null))
            .Select(static (p, _) => Targets.Choose(p.Left.TorchSharp, p.Left.Runtime, p.Right))
            .WithTrackingName(Steps.Target);

        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.BlockAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Guard(() => Parser.ParseBlock(ctx, ct), ex => new ParsedBlock(null, Internal(ctx.TargetNode.GetLocation(), ctx.TargetSymbol.Name, ex))))
            .WithTrackingName(Steps.Blocks);

        var blockSpecs = blocks
            .Where(static b => b.Spec is not null)
            .Select(static (b, _) => b.Spec!)
            .Collect()
            .Select(static (specs, _) => specs.OrderBy(s => s.MetadataName, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(Steps.BlockSpecs);

        context.RegisterSourceOutput(blocks.Select(static (b, _) => b.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));

        // A user's [ResidualBlock] class becomes the block class itself, in its own file.
        var blockSources = blocks
            .Select(static (b, _) => b.Spec is { Valid: true } spec ? spec : null)
            .Combine(target)
            .Select(static (pair, ct) => pair.Left is { } spec && pair.Right.Kind != TargetKind.None
                ? Guard(() => new EmitResult(Emitter.EmitUserBlock(Lowering.Custom(spec), Dialect.For(pair.Right.Kind)), spec.Target.Name, null),
                    ex => new EmitResult(null, spec.Target.Name, ex.GetType().Name + ": " + ex.Message))
                : null)
            .WithTrackingName(Steps.BlockEmit);
        context.RegisterSourceOutput(blockSources, static (spc, result) => Add(spc, result));

        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.ResNetAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Guard(
                    () => Parser.ParseNetwork(ctx, ct),
                    ex => new ParsedNetwork(ctx.TargetSymbol.Name, null,
                        new[] { new LocatedKey(LocationKey.Class, ctx.TargetNode.GetLocation()) }.ToEquatableArray(),
                        new[] { DiagnosticInfo.Create(Diagnostics.InternalError, LocationKey.Class, ctx.TargetSymbol.Name, ex.Message) }.ToEquatableArray())))
            .WithTrackingName(Steps.Parse);

        var analysed = parsed
            .Combine(blockSpecs)
            .Combine(target)
            .Select(static (pair, ct) => Analyse(pair.Left.Left, pair.Left.Right, pair.Right, ct))
            .WithTrackingName(Steps.Analyse);

        context.RegisterSourceOutput(analysed.Select(static (a, _) => a.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));

        var models = analysed
            .Select(static (a, _) => a.Model)
            .WithTrackingName(Steps.Model);

        var sources = models
            .Select(static (model, ct) => model is null
                ? null
                : Guard(() => new EmitResult(Emitter.EmitNetwork(model, Dialect.For(model.Target), ct), model.Ir.Target.Name, null),
                    ex => new EmitResult(null, model.Ir.Target.Name, ex.GetType().Name + ": " + ex.Message)))
            .WithTrackingName(Steps.Emit);
        context.RegisterSourceOutput(sources, static (spc, result) => Add(spc, result));

        var orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.StageAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Guard(() => Parser.ParseOrphanStages(ctx, ct), ex => Internal(ctx.TargetNode.GetLocation(), ctx.TargetSymbol.Name, ex)))
            .WithTrackingName(Steps.OrphanStages);
        context.RegisterSourceOutput(orphans, static (spc, diagnostics) => Report(spc, diagnostics));
    }

    internal sealed record Analysis(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

    private static Analysis Analyse(ParsedNetwork parsed, EquatableArray<CustomBlockSpec> blocks, TargetChoice target, CancellationToken ct)
    {
        var pending = parsed.Diagnostics.AsImmutableArray().ToList();
        NetworkModel? model = null;
        if (parsed.Spec is not null)
        {
            try
            {
                var result = Lowering.Lower(parsed.Spec, blocks, ct);
                model = result.Model is null ? null : result.Model with { Target = target.Kind };
                pending.AddRange(result.Diagnostics);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                pending.Add(DiagnosticInfo.Create(Diagnostics.InternalError, LocationKey.Class, parsed.Name, ex.Message));
                model = null;
            }
            if (target.Problem is not null)
            {
                pending.Add(DiagnosticInfo.Create(Diagnostics.NoTarget, LocationKey.ResNet(), target.Problem));
                model = null;
            }
        }
        var located = pending.Select(d => d.Location is null ? d with { Location = Locate(parsed.Locations, d.Where) } : d).ToEquatableArray();
        return new Analysis(model, located);
    }

    private static Location? Locate(EquatableArray<LocatedKey> table, LocationKey key)
    {
        Location? Find(LocationKey k) => table.FirstOrDefault(e => e.Key == k)?.Location;
        return Find(key)
            ?? (key.Argument.Length > 0 ? Find(key with { Argument = "" }) : null)
            ?? (key.Target is LocationTarget.Stem or LocationTarget.Head or LocationTarget.Shortcut or LocationTarget.Fusion or LocationTarget.Reconstruction || (key.Target == LocationTarget.ResNet && key.Argument.Length > 0) ? Find(LocationKey.ResNet()) : null)
            ?? Find(LocationKey.Class);
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    private static void Add(SourceProductionContext context, EmitResult? result)
    {
        if (result?.File is { } file) context.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
        if (result?.Error is { } error) context.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, result.Name, error));
    }

    private static EquatableArray<DiagnosticInfo> Internal(Location location, string name, Exception ex) =>
        new[] { DiagnosticInfo.At(Diagnostics.InternalError, location, name, ex.GetType().Name + ": " + ex.Message) }.ToEquatableArray();

    /// <summary>Runs a step; any exception but cancellation becomes a value (an RNG999 diagnostic) instead of crashing the compiler.</summary>
    private static T Guard<T>(Func<T> body, Func<Exception, T> onError)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return onError(ex);
        }
    }
}
