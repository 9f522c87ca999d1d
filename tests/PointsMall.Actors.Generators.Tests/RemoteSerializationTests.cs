using System.Buffers;
using System.Reflection;
using System.Text.Json;
using PointsMall.Actors.Generators.Tests.Support;
using PointsMall.Actors.Invocation;
using PointsMall.Actors.Remoting;

namespace PointsMall.Actors.Generators.Tests;

/// <summary>What the generator adds for calls to a silo in another process: argument writers, wire ids, rebuild factories.</summary>
public sealed class RemoteSerializationTests
{
    private const string ShopSource = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using PointsMall.Actors;

        namespace Shop;

        public sealed record Line(string Sku, int Quantity);

        public interface IBasketGrain : IGrain
        {
            Task ClearAsync();
        }

        [GrainType("till")]
        public interface ITillGrain : IBasketGrain
        {
            Task<string> AddAsync(string sku, int quantity = 1, IReadOnlyList<string?>? tags = null);
            Task<string> AddAsync(int productId);
            Task<Line?> LastAsync(Line? fallback, long? limit);
        }
        """;

    [Fact]
    public void Each_request_writes_its_arguments_as_a_json_array_and_names_its_method_on_the_wire()
    {
        var run = GeneratorHarness.Run(ShopSource);

        Assert.Empty(run.Diagnostics);
        run.AssertCompilesCleanly();
        var source = run.Source("Proxies.Shop.ITillGrain.g.cs");
        Assert.Contains("protected override string RemoteMethodId => \"AddAsync(string, int, System.Collections.Generic.IReadOnlyList<string>)\";", source, StringComparison.Ordinal);
        Assert.Contains("protected override string RemoteMethodId => \"AddAsync(int)\";", source, StringComparison.Ordinal);
        Assert.Contains("protected override string RemoteMethodId => \"LastAsync(Shop.Line, long?)\";", source, StringComparison.Ordinal);
        Assert.Contains("protected override string RemoteMethodId => \"Shop.IBasketGrain.ClearAsync()\";", source, StringComparison.Ordinal);
        Assert.Contains(Squash("""
                    protected override void WriteArguments(global::System.Text.Json.Utf8JsonWriter writer, global::System.Text.Json.JsonSerializerOptions options)
                    {
                        writer.WriteStartArray();
                        global::System.Text.Json.JsonSerializer.Serialize<string>(writer, _arg0, options);
                        global::System.Text.Json.JsonSerializer.Serialize<int>(writer, _arg1, options);
                        global::System.Text.Json.JsonSerializer.Serialize<global::System.Collections.Generic.IReadOnlyList<string?>?>(writer, _arg2, options);
                        writer.WriteEndArray();
                    }
            """), Squash(source), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_interface_registers_a_factory_per_method_that_rebuilds_the_request_from_json()
    {
        var run = GeneratorHarness.Run(ShopSource);

        var source = run.Source("Proxies.Shop.ITillGrain.g.cs");
        Assert.Contains("internal static global::PointsMall.Actors.Remoting.RemoteMethod[] CreateRemoteMethods() => new global::PointsMall.Actors.Remoting.RemoteMethod[]", source, StringComparison.Ordinal);
        Assert.Contains(Squash("""
                    global::PointsMall.Actors.Remoting.RemoteMethod.Create<global::Shop.ITillGrain, global::Shop.Line?>(
                        "LastAsync(Shop.Line, long?)",
                        2,
                        static (arguments, options) => new LastAsyncRequest(global::PointsMall.Actors.Remoting.RemoteMethod.Argument<global::Shop.Line?>(arguments, 0, options), global::PointsMall.Actors.Remoting.RemoteMethod.Argument<long?>(arguments, 1, options))),
            """), Squash(source), StringComparison.Ordinal);
        Assert.Contains(Squash("""
                    global::PointsMall.Actors.Remoting.RemoteMethod.Create<global::Shop.ITillGrain>(
                        "Shop.IBasketGrain.ClearAsync()",
                        0,
                        static (_, _) => new ClearAsyncRequest()),
            """), Squash(source), StringComparison.Ordinal);
        Assert.Contains(Squash("""
                    global::PointsMall.Actors.Remoting.RemoteMethods.Register<global::Shop.ITillGrain>(
                        "till",
                        TillGrainProxy.CreateRemoteMethods());
            """), Squash(source), StringComparison.Ordinal);
    }

    [Fact]
    public void Written_arguments_rebuild_an_equal_request_on_the_other_side()
    {
        var assembly = GeneratorHarness.RunAndLoad(ShopSource);
        var till = assembly.GetType("Shop.ITillGrain", throwOnError: true)!;
        var line = assembly.GetType("Shop.Line", throwOnError: true)!;
        var fallback = Activator.CreateInstance(line, "sku-9", 2)!;
        var invoker = new CapturingInvoker();
        var proxy = Activator.CreateInstance(assembly.GetType("Shop.TillGrainProxy", throwOnError: true)!, new GrainId("till", "t1"), invoker)!;

        _ = till.GetMethod("LastAsync")!.Invoke(proxy, [fallback, null]);
        var request = Assert.Single(invoker.Requests);
        var json = Write(request);

        Assert.Equal("[{\"sku\":\"sku-9\",\"quantity\":2},null]", json);
        var methods = (RemoteMethod[])assembly.GetType("Shop.TillGrainProxy")!.GetMethod("CreateRemoteMethods", BindingFlags.Static | BindingFlags.NonPublic)!.Invoke(null, [])!;
        Assert.Equal(
            ["AddAsync(string, int, System.Collections.Generic.IReadOnlyList<string>)", "AddAsync(int)", "LastAsync(Shop.Line, long?)", "Shop.IBasketGrain.ClearAsync()"],
            methods.Select(m => m.Id));
        var last = methods.Single(m => m.Id.StartsWith("LastAsync", StringComparison.Ordinal));
        Assert.Equal(2, last.ParameterCount);

        // Rebuilt through the registered factory, the request writes the same arguments again.
        var rebuild = (Delegate)last.GetType().GetField("rebuild", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(last)!
            ?? last.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic).Select(f => f.GetValue(last)).OfType<Delegate>().Single();
        using var document = JsonDocument.Parse(json);
        var rebuilt = (GrainCall)rebuild.DynamicInvoke(document.RootElement.Clone(), GrainJson.Options)!;
        Assert.Equal(json, Write(rebuilt));
    }

    /// <summary>Indentation aside: the asserts are about the code, not the layout.</summary>
    private static string Squash(string code)
        => string.Join("\n", code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string Write(GrainCall request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            request.GetType().GetMethod("WriteArguments", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(request, [writer, GrainJson.Options]);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class CapturingInvoker : IGrainCallInvoker
    {
        public List<GrainCall> Requests { get; } = [];

        public Task<TResult> InvokeAsync<TGrain, TResult>(GrainId grain, GrainRequest<TGrain, TResult> request)
            where TGrain : IGrain
        {
            Requests.Add(request);
            return Task.FromResult(default(TResult)!);
        }

        public Task InvokeAsync<TGrain>(GrainId grain, GrainRequest<TGrain> request)
            where TGrain : IGrain
        {
            Requests.Add(request);
            return Task.CompletedTask;
        }
    }
}
