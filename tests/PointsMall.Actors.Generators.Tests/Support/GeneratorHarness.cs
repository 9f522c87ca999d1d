using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PointsMall.Actors.Generators.Tests.Support;

/// <summary>Runs the generator over source strings the way the compiler does, and compiles the result.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    // The test host's trusted platform assemblies are the framework (including ASP.NET Core, which
    // PointsMall.Actors needs) plus this project's dependencies: a reference set that matches a real consumer.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var self = typeof(GeneratorHarness).Assembly.Location;
        return [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => !string.Equals(path, self, StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    });

    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "GeneratorTest_" + Guid.NewGuid().ToString("N"),
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new GrainProxyGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources)
    {
        var input = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        return new GeneratorRun(
            result.Diagnostics,
            result.GeneratedSources.ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString()),
            output);
    }

    /// <summary>Generates, compiles without a single warning, and loads the assembly.</summary>
    public static Assembly RunAndLoad(params string[] sources)
    {
        var run = Run(sources);
        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics));
        stream.Position = 0;

        // Its own context, so every test's assembly is separate; PointsMall.Actors still resolves to the
        // default context's copy, so GrainProxies is the one the test sees.
        return new AssemblyLoadContext(run.Output.AssemblyName, isCollectible: false).LoadFromStream(stream);
    }
}

public sealed record GeneratorRun(
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableDictionary<string, string> Sources,
    Compilation Output)
{
    public void AssertCompilesCleanly()
    {
        var problems = Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems) + Environment.NewLine + string.Join(Environment.NewLine, Sources.Values));
    }

    public string Source(string hintName)
    {
        Assert.True(Sources.ContainsKey(hintName), $"No {hintName} among: {string.Join(", ", Sources.Keys)}");
        return Sources[hintName];
    }
}
