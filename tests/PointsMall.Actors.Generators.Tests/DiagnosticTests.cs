using System.Globalization;
using Microsoft.CodeAnalysis;
using PointsMall.Actors.Generators.Tests.Support;

namespace PointsMall.Actors.Generators.Tests;

public sealed class DiagnosticTests
{
    private const string Usings = """
        using System;
        using System.Threading.Tasks;
        using PointsMall.Actors;

        namespace Mall;

        """;

    [Theory]
    [InlineData("ValueTask<int> GetAsync();", "ValueTask<int>")]
    [InlineData("ValueTask GetAsync();", "ValueTask")]
    [InlineData("void GetAsync();", "void")]
    [InlineData("int GetAsync();", "int")]
    [InlineData("System.Collections.Generic.IAsyncEnumerable<int> GetAsync();", "IAsyncEnumerable<int>")]
    public void Method_not_returning_Task_is_refused_with_PMA0001(string member, string returnType)
    {
        var run = RunWith(member);

        var diagnostic = AssertRefused(run, "PMA0001", "GetAsync");
        Assert.Contains("IBadGrain", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(returnType, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Task SetAsync(ref int value);", "ref")]
    [InlineData("Task SetAsync(out int value);", "out")]
    [InlineData("Task SetAsync(in int value);", "in")]
    [InlineData("Task SetAsync(ref readonly int value);", "ref readonly")]
    public void By_reference_parameter_is_refused_with_PMA0002(string member, string refKind)
    {
        var run = RunWith(member);

        var diagnostic = AssertRefused(run, "PMA0002", "value");
        Assert.Contains($"({refKind})", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("SetAsync", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int Count { get; }", "Count", "a property")]
    [InlineData("event EventHandler Changed;", "Changed", "an event")]
    [InlineData("int this[int index] { get; }", "this", "an indexer")]
    [InlineData("static abstract IBadGrain Create();", "Create", "a static abstract member")]
    public void Property_event_indexer_or_static_abstract_member_is_refused_with_PMA0003(string member, string locationText, string kind)
    {
        var run = RunWith(member);

        var diagnostic = AssertRefused(run, "PMA0003", locationText);
        Assert.Contains(kind, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_method_is_refused_with_PMA0004()
    {
        var run = RunWith("Task<T> GetAsync<T>(string key);");

        var diagnostic = AssertRefused(run, "PMA0004", "GetAsync");
        Assert.Contains("'GetAsync<T>(string)'", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_grain_interface_is_refused_with_PMA0005()
    {
        var run = GeneratorHarness.Run(Usings + """
            public interface IRepositoryGrain<T> : IGrain
            {
                Task<T> GetAsync(string id);
            }
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PMA0005", diagnostic.Id);
        Assert.Equal("IRepositoryGrain", LocationText(run, diagnostic));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Grain_interface_nested_in_a_generic_class_is_refused_with_PMA0005()
    {
        var run = GeneratorHarness.Run(Usings + """
            public static class Outer<T>
            {
                public interface IInnerGrain : IGrain
                {
                    Task PingAsync();
                }
            }
            """);

        Assert.Equal("PMA0005", Assert.Single(run.Diagnostics).Id);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Grain_interface_the_proxy_cannot_implement_is_refused_with_PMA0006()
    {
        var run = GeneratorHarness.Run(Usings + """
            public class Outer
            {
                private interface IHiddenGrain : IGrain
                {
                    Task PingAsync();
                }
            }
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PMA0006", diagnostic.Id);
        Assert.Contains("private", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Ref_struct_parameter_is_refused_with_PMA0007()
    {
        var run = RunWith("Task WriteAsync(ReadOnlySpan<byte> data);");

        AssertRefused(run, "PMA0007", "data");
    }

    [Fact]
    public void Two_interfaces_with_the_same_grain_type_name_are_reported_with_PMA0008()
    {
        var run = GeneratorHarness.Run(
            """
            using System.Threading.Tasks;
            namespace Mall.A;
            public interface IStockGrain : PointsMall.Actors.IGrain { Task PingAsync(); }
            """,
            """
            using System.Threading.Tasks;
            namespace Mall.B;
            [PointsMall.Actors.GrainType("stock")]
            public interface IInventoryGrain : PointsMall.Actors.IGrain { Task PingAsync(); }
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PMA0008", diagnostic.Id);
        // Reported on every interface but the first by full name, so the report is the same on every build.
        Assert.Equal("IInventoryGrain", LocationText(run, diagnostic));
        Assert.Contains("Mall.A.IStockGrain", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_grain_type_name_is_refused_with_PMA0009()
    {
        var run = GeneratorHarness.Run(Usings + """
            [GrainType("")]
            public interface IBadGrain : IGrain
            {
                Task PingAsync();
            }
            """);

        Assert.Equal("PMA0009", Assert.Single(run.Diagnostics).Id);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Bad_member_of_a_plain_base_interface_is_reported_on_that_member_naming_the_grain_interface()
    {
        var run = GeneratorHarness.Run(Usings + """
            public interface IHasName
            {
                ValueTask<string> GetNameAsync();
            }

            public interface IShopGrain : IGrain, IHasName
            {
                Task PingAsync();
            }
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PMA0001", diagnostic.Id);
        Assert.Equal("GetNameAsync", LocationText(run, diagnostic));
        Assert.Contains("IShopGrain", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("Mall.IHasName.GetNameAsync", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Bad_member_of_a_base_grain_interface_is_reported_once_and_refuses_every_derived_proxy()
    {
        var run = GeneratorHarness.Run(Usings + """
            public interface IBaseGrain : IGrain
            {
                void Fire();
            }

            public interface IDerivedGrain : IBaseGrain
            {
                Task PingAsync();
            }

            public interface IFineGrain : IGrain
            {
                Task PingAsync();
            }
            """);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("PMA0001", diagnostic.Id);
        Assert.Contains("IBaseGrain", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(["Proxies.Mall.IFineGrain.g.cs"], run.Sources.Keys);
    }

    [Fact]
    public void Every_problem_of_an_interface_is_reported_not_only_the_first()
    {
        var run = RunWith("""
            ValueTask A();
            Task B(ref int x);
            int C { get; }
            Task D<T>();
            """);

        Assert.Equal(["PMA0001", "PMA0002", "PMA0003", "PMA0004"], run.Diagnostics.Select(d => d.Id).Order());
        Assert.Equal(["Proxies.Mall.IGoodGrain.g.cs"], run.Sources.Keys);
    }

    private static GeneratorRun RunWith(string member)
        => GeneratorHarness.Run(Usings + $$"""
            public interface IBadGrain : IGrain
            {
                {{member}}
            }

            public interface IGoodGrain : IGrain
            {
                Task PingAsync();
            }
            """);

    /// <summary>One error, on the offending member, and no proxy for its interface (the others still get theirs).</summary>
    private static Diagnostic AssertRefused(GeneratorRun run, string id, string locationText)
    {
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("PointsMall.Actors", diagnostic.Descriptor.Category);
        Assert.Equal(locationText, LocationText(run, diagnostic));
        Assert.Equal(["Proxies.Mall.IGoodGrain.g.cs"], run.Sources.Keys);
        return diagnostic;
    }

    /// <summary>
    /// The source text the diagnostic points at. Cached diagnostics carry a path and span rather than a syntax
    /// tree (the pipeline must not hold trees), so the tree is found by path.
    /// </summary>
    private static string LocationText(GeneratorRun run, Diagnostic diagnostic)
    {
        var path = diagnostic.Location.GetLineSpan().Path;
        var tree = Assert.Single(run.Output.SyntaxTrees, t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }
}
