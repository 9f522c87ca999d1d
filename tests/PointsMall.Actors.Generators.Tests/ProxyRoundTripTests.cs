using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PointsMall.Actors.Generators.Tests.Support;
using PointsMall.Actors.Hosting;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Generators.Tests;

public sealed class ProxyRoundTripTests
{
    private const string CartSource = """
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading.Tasks;
        using PointsMall.Actors;

        namespace Shop;

        public interface IBasketGrain : IGrain
        {
            Task ClearAsync();
        }

        public interface ICartGrain : IBasketGrain
        {
            Task<string> AddAsync(string sku, int quantity = 1, IReadOnlyList<string?>? tags = null);
            Task<string> AddAsync(int productId);
        }

        /// <summary>Implements the interface without being a Grain: the recording invoker calls it directly.</summary>
        public sealed class FakeCart : ICartGrain
        {
            public List<string> Log { get; } = new();

            public Task<string> AddAsync(string sku, int quantity = 1, IReadOnlyList<string?>? tags = null)
            {
                var entry = $"{sku}x{quantity}[{string.Join(",", (tags ?? new List<string?>()).Select(t => t ?? "null"))}]";
                Log.Add(entry);
                return Task.FromResult(entry);
            }

            public Task<string> AddAsync(int productId)
            {
                Log.Add($"#{productId}");
                return Task.FromResult($"#{productId}");
            }

            public Task ClearAsync()
            {
                Log.Add("clear");
                return Task.CompletedTask;
            }
        }

        /// <summary>A real grain, for the silo test.</summary>
        public sealed class CartGrain : Grain, ICartGrain
        {
            private readonly List<string> _lines = new();

            public Task<string> AddAsync(string sku, int quantity = 1, IReadOnlyList<string?>? tags = null)
            {
                _lines.Add($"{sku}x{quantity}");
                return Task.FromResult($"{GrainKey}:{string.Join(";", _lines)}");
            }

            public Task<string> AddAsync(int productId) => AddAsync($"p{productId}");

            public Task ClearAsync()
            {
                _lines.Clear();
                return Task.CompletedTask;
            }
        }
        """;

    private static readonly Lazy<Assembly> Cart = new(() => GeneratorHarness.RunAndLoad(CartSource));

    private static Type CartInterface => Cart.Value.GetType("Shop.ICartGrain", throwOnError: true)!;

    private static Type BasketInterface => Cart.Value.GetType("Shop.IBasketGrain", throwOnError: true)!;

    [Fact]
    public async Task Proxy_call_becomes_a_request_named_after_the_method_that_passes_its_arguments_to_the_grain()
    {
        var grain = Activator.CreateInstance(Cart.Value.GetType("Shop.FakeCart", throwOnError: true)!)!;
        var invoker = new RecordingInvoker(grain);
        var proxy = CreateProxy("CartGrainProxy", new GrainId("cart", "alice"), invoker);
        var add = CartInterface.GetMethod("AddAsync", [typeof(string), typeof(int), typeof(IReadOnlyList<string?>)])!;

        var result = await (Task<string>)add.Invoke(proxy, ["sku-1", 3, new List<string?> { "gift", null }])!;

        Assert.Equal("sku-1x3[gift,null]", result);
        var (grainId, request) = Assert.Single(invoker.Calls);
        Assert.Equal(new GrainId("cart", "alice"), grainId);
        Assert.Equal("AddAsync", request.MethodName);
        Assert.Equal(typeof(GrainRequest<,>).MakeGenericType(CartInterface, typeof(string)), request.GetType().BaseType);
    }

    [Fact]
    public async Task Overloads_and_inherited_methods_route_to_the_matching_grain_method()
    {
        var grain = Activator.CreateInstance(Cart.Value.GetType("Shop.FakeCart", throwOnError: true)!)!;
        var invoker = new RecordingInvoker(grain);
        var proxy = CreateProxy("CartGrainProxy", new GrainId("cart", "bob"), invoker);

        var byId = await (Task<string>)CartInterface.GetMethod("AddAsync", [typeof(int)])!.Invoke(proxy, [42])!;
        await (Task)BasketInterface.GetMethod("ClearAsync")!.Invoke(proxy, [])!;

        Assert.Equal("#42", byId);
        Assert.Equal(["AddAsync", "ClearAsync"], invoker.Calls.Select(c => c.Request.MethodName));
        Assert.Equal(["#42", "clear"], (List<string>)grain.GetType().GetProperty("Log")!.GetValue(grain)!);
        Assert.Equal("cart/bob", proxy.ToString());
    }

    [Fact]
    public async Task Generated_registration_lets_a_silo_serve_the_interface_end_to_end()
    {
        var services = new ServiceCollection();
        var silo = services.AddSilo().UseInMemoryStore();
        typeof(SiloBuilder).GetMethod(nameof(SiloBuilder.AddGrain))!
            .MakeGenericMethod(CartInterface, Cart.Value.GetType("Shop.CartGrain", throwOnError: true)!)
            .Invoke(silo, []);
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            var factory = provider.GetRequiredService<IGrainFactory>();
            var cart = typeof(IGrainFactory).GetMethod(nameof(IGrainFactory.GetGrain))!
                .MakeGenericMethod(CartInterface)
                .Invoke(factory, ["carol"])!;
            var add = CartInterface.GetMethod("AddAsync", [typeof(string), typeof(int), typeof(IReadOnlyList<string?>)])!;

            await (Task<string>)add.Invoke(cart, ["a", 1, null])!;
            var second = await (Task<string>)add.Invoke(cart, ["b", 2, null])!;

            Assert.Equal("carol:ax1;bx2", second);
            Assert.Equal("cart", GrainProxies.GrainTypeOf(CartInterface));
            Assert.Equal(new GrainId("cart", "carol"), ((GrainReference)cart).GrainId);
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    private static GrainReference CreateProxy(string proxyName, GrainId grainId, IGrainCallInvoker invoker)
        => (GrainReference)Activator.CreateInstance(Cart.Value.GetType($"Shop.{proxyName}", throwOnError: true)!, grainId, invoker)!;
}
