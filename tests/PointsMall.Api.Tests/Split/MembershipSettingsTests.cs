using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using PointsMall.Hosting;
using Xunit;

namespace PointsMall.Api.Tests.Split;

/// <summary>A membership named without its settings stops a silo or an API node at start, naming the setting.</summary>
public sealed class MembershipSettingsTests
{
    [Fact]
    public void A_silo_with_redis_membership_and_no_redis_names_the_missing_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SiloHost.Build([], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "memory",
            ["Orleans:Membership"] = "redis",
        })));

        Assert.Contains("Orleans:MembershipRedis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_api_node_with_redis_membership_and_no_redis_names_the_missing_setting()
    {
        using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Role", "api");
            builder.UseSetting("Orleans:Membership", "redis");
        });

        var error = Assert.Throws<InvalidOperationException>(() => api.Services);
        Assert.Contains("Orleans:MembershipRedis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_membership_lists_the_choices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:Membership"] = "zookeeper" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => Clustering.Mode(configuration));
        Assert.Contains("localhost, adonet or redis", error.Message, StringComparison.Ordinal);
    }
}
