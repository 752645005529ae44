using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ResNetGen.Generator;

/// <summary>
/// Turns classes marked [ResNet] + [ResidualStage] (and [ResidualBlock] user blocks) into typed
/// ResNetGen.Torch modules. Pipeline (tracking names in <see cref="Steps"/>):
/// attributes → <c>Parse</c> (spec + located diagnostics) → <c>Analyse</c> (shape inference, with the
/// collected custom blocks) → <c>Model</c> (equatable, location-free) → <c>Emit</c> → source.
/// Diagnostics travel in their own branch so that a model that did not change is never re-emitted.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ResNetGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps (for incrementality tests).</summary>
    public static class Steps
    {
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

        var blockSources = blocks
            .Select(static (b, ct) => b.Spec is { Valid: true } spec
                ? Guard(() => new EmitResult(Emitter.EmitBlockBase(spec), spec.Target.Name, null), ex => new EmitResult(null, spec.Target.Name, ex.GetType().Name + ": " + ex.Message))
                : null)
            .WithTrackingName(Steps.BlockEmit);
        context.RegisterSourceOutput(blockSources, static (spc, result) =>
        {
            if (result?.File is { } file) spc.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
            if (result?.Error is { } error) spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, result.Name, error));
        });

        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.ResNetAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Guard(
                    () => Parser.ParseNetwork(ctx, ct),
                    ex => new ParsedNetwork(ctx.TargetSymbol.Name, null,
                        new[] { new LocatedKey(LocationKey.Class, ctx.TargetNode.GetLocation()) }.ToEquatableArray(),
                        new[] { PendingDiagnostic.Create(Diagnostics.InternalError, LocationKey.Class, ctx.TargetSymbol.Name, ex.Message) }.ToEquatableArray())))
            .WithTrackingName(Steps.Parse);

        var analysed = parsed
            .Combine(blockSpecs)
            .Select(static (pair, ct) => Analyse(pair.Left, pair.Right, ct))
            .WithTrackingName(Steps.Analyse);

        context.RegisterSourceOutput(analysed.Select(static (a, _) => a.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));

        var models = analysed
            .Select(static (a, _) => a.Model)
            .WithTrackingName(Steps.Model);

        var sources = models
            .Select(static (model, ct) => model is null
                ? null
                : Guard(() => new EmitResult(Emitter.EmitNetwork(model, ct), model.Target.Name, null), ex => new EmitResult(null, model.Target.Name, ex.GetType().Name + ": " + ex.Message)))
            .WithTrackingName(Steps.Emit);

        context.RegisterSourceOutput(sources, static (spc, result) =>
        {
            if (result?.File is { } file) spc.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
            if (result?.Error is { } error) spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.InternalError, Location.None, result.Name, error));
        });

        var orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.StageAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Guard(() => Parser.ParseOrphanStages(ctx, ct), ex => Internal(ctx.TargetNode.GetLocation(), ctx.TargetSymbol.Name, ex)))
            .WithTrackingName(Steps.OrphanStages);
        context.RegisterSourceOutput(orphans, static (spc, diagnostics) => Report(spc, diagnostics));
    }

    internal sealed record Analysis(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

    private static Analysis Analyse(ParsedNetwork parsed, EquatableArray<CustomBlockSpec> blocks, CancellationToken ct)
    {
        var pending = parsed.Diagnostics.AsImmutableArray().ToList();
        NetworkModel? model = null;
        if (parsed.Spec is not null)
        {
            try
            {
                var result = ShapeInference.Resolve(parsed.Spec, blocks, ct);
                model = result.Model;
                pending.AddRange(result.Diagnostics);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                pending.Add(PendingDiagnostic.Create(Diagnostics.InternalError, LocationKey.Class, parsed.Name, ex.Message));
                model = null;
            }
        }
        var located = pending.Select(d => new DiagnosticInfo(d.Id, Locate(parsed.Locations, d.Where), d.Args)).ToEquatableArray();
        return new Analysis(model, located);
    }

    private static Location? Locate(EquatableArray<LocatedKey> table, LocationKey key)
    {
        Location? Find(LocationKey k) => table.FirstOrDefault(e => e.Key == k)?.Location;
        return Find(key)
            ?? (key.Argument.Length > 0 ? Find(key with { Argument = "" }) : null)
            ?? (key.Target == LocationTarget.Stem || (key.Target == LocationTarget.ResNet && key.Argument.Length > 0) ? Find(LocationKey.ResNet()) : null)
            ?? Find(LocationKey.Class);
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    private static EquatableArray<DiagnosticInfo> Internal(Location location, string name, Exception ex) =>
        new[] { new DiagnosticInfo(Diagnostics.InternalError.Id, location, new[] { name, ex.GetType().Name + ": " + ex.Message }.ToEquatableArray()) }.ToEquatableArray();

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
