using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PointsMall.Actors.Generators.Tests.Support;

namespace PointsMall.Actors.Generators.Tests;

public sealed class IncrementalityTests
{
    [Fact]
    public void Editing_unrelated_code_reuses_the_cached_models_and_outputs()
    {
        var compilation = GeneratorHarness.CreateCompilation(
            """
            using System.Threading.Tasks;
            namespace Mall;
            public interface IMemberGrain : PointsMall.Actors.IGrain { Task<long> GetBalanceAsync(); }
            """,
            "namespace Mall; public static class Helpers { public static int One() => 1; }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var helpers = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(
            helpers,
            CSharpSyntaxTree.ParseText("namespace Mall; public static class Helpers { public static int Two() => 2; }", GeneratorHarness.ParseOptions, path: helpers.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.True(
            output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"Output step re-ran: {output.Reason}"));
    }
}
