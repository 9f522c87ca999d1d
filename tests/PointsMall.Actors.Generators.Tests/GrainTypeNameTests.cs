using PointsMall.Actors.Generators.Tests.Support;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Generators.Tests;

public sealed class GrainTypeNameTests
{
    [Theory]
    [InlineData("IMemberGrain", "member")]
    [InlineData("IProductStockGrain", "product-stock")]
    [InlineData("IOrderGrain", "order")]
    [InlineData("ICounterGrain", "counter")]
    [InlineData("IHTTPSessionGrain", "http-session")]
    [InlineData("IOrder2Grain", "order2")]
    [InlineData("Inventory", "inventory")]
    [InlineData("IGrainGrain", "grain")]
    [InlineData("IPoints_LedgerGrain", "points-ledger")]
    public void Interface_inheriting_IGrain_gets_a_proxy_registered_under_its_kebab_case_type_name(string interfaceName, string grainType)
    {
        var assembly = GeneratorHarness.RunAndLoad($$"""
            using System.Threading.Tasks;

            namespace Names;

            public interface {{interfaceName}} : PointsMall.Actors.IGrain
            {
                Task PingAsync();
            }
            """);

        Assert.Equal(grainType, GrainProxies.GrainTypeOf(assembly.GetType($"Names.{interfaceName}", throwOnError: true)!));
    }

    [Fact]
    public void GrainType_attribute_names_the_grain_type_explicitly()
    {
        var assembly = GeneratorHarness.RunAndLoad("""
            using System.Threading.Tasks;
            using PointsMall.Actors;

            namespace Names;

            [GrainType("points-account")]
            public interface IMemberGrain : IGrain
            {
                Task PingAsync();
            }

            // The attribute is not inherited: a derived interface has its own derived name.
            public interface IVipMemberGrain : IMemberGrain
            {
                Task UpgradeAsync();
            }
            """);

        Assert.Equal("points-account", GrainProxies.GrainTypeOf(assembly.GetType("Names.IMemberGrain", throwOnError: true)!));
        Assert.Equal("vip-member", GrainProxies.GrainTypeOf(assembly.GetType("Names.IVipMemberGrain", throwOnError: true)!));
    }
}
