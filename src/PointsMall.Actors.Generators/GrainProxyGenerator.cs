using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PointsMall.Actors.Generators;

/// <summary>
/// Emits a typed proxy for every interface of the compilation that extends <c>PointsMall.Actors.IGrain</c>,
/// and registers it with <c>GrainProxies</c> from a module initializer.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainProxyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // IGrain is an interface, not an attribute, so ForAttributeWithMetadataName cannot find grain interfaces.
        var interfaces = context.SyntaxProvider
            .CreateSyntaxProvider(GrainInterfaceParser.IsCandidate, GrainInterfaceParser.Parse)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!);

        context.RegisterSourceOutput(interfaces, static (spc, model) =>
        {
            foreach (var diagnostic in model.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (!model.Refused)
            {
                spc.AddSource(model.HintName, SourceText.From(ProxyEmitter.Emit(model), System.Text.Encoding.UTF8));
            }
        });

        // Two interfaces with one grain type name would share storage keys; the silo would only notice at startup.
        var grainTypes = interfaces
            .Select(static (model, _) => new GrainTypeEntry(model.GrainType, model.InterfaceDisplay, model.Location))
            .Collect();
        context.RegisterSourceOutput(grainTypes, static (spc, entries) => ReportDuplicates(spc, entries));
    }

    private static void ReportDuplicates(SourceProductionContext context, ImmutableArray<GrainTypeEntry> entries)
    {
        var duplicates = entries
            .Where(e => e.GrainType.Length > 0)
            .GroupBy(e => e.GrainType, StringComparer.Ordinal)
            .Where(g => g.Count() > 1);
        foreach (var group in duplicates)
        {
            var ordered = group.OrderBy(e => e.Interface, StringComparer.Ordinal).ToList();
            foreach (var entry in ordered.Skip(1))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.DuplicateGrainType,
                    entry.Location?.ToLocation(),
                    entry.Interface,
                    ordered[0].Interface,
                    entry.GrainType));
            }
        }
    }

    private sealed record GrainTypeEntry(string GrainType, string Interface, LocationInfo? Location);
}
