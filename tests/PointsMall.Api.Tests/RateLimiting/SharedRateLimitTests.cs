using Xunit;

namespace PointsMall.Api.Tests.RateLimiting;

/// <summary>Shopper limits counted in a real Redis, shared by API nodes; and what happens when Redis goes away.</summary>
public sealed class SharedRateLimitTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-limits-tests", Guid.NewGuid().ToString("n"));
    private PointsMall.LocalServers.RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await PointsMall.LocalServers.RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Two_api_nodes_count_one_members_requests_in_one_window()
    {
        await using var first = new LimitedNode(_directory, _redis.Configuration, perMember: 3);
        await using var second = new LimitedNode(_directory, _redis.Configuration, perMember: 3);
        using var onFirst = await first.ShopperAsync();
        using var onSecond = second.SameShopper(onFirst);

        var answers = new[]
        {
            await LimitedNode.RedeemAsync(onFirst),
            await LimitedNode.RedeemAsync(onSecond),
            await LimitedNode.RedeemAsync(onFirst),
            await LimitedNode.RedeemAsync(onSecond),
        };

        // Three go through to the endpoint (which refuses the unknown product); the fourth, on either node, is limited.
        Assert.All(answers[..3], a => Assert.NotEqual(429, a.Status));
        Assert.Equal((429, "rate_limited"), answers[3]);
    }

    [Fact]
    public async Task Without_redis_each_node_counts_alone()
    {
        await using var first = new LimitedNode(_directory, redis: null, perMember: 2);
        await using var second = new LimitedNode(_directory, redis: null, perMember: 2);
        using var onFirst = await first.ShopperAsync();
        using var onSecond = second.SameShopper(onFirst);

        var onEach = new[] { await LimitedNode.RedeemAsync(onFirst), await LimitedNode.RedeemAsync(onFirst), await LimitedNode.RedeemAsync(onSecond), await LimitedNode.RedeemAsync(onSecond) };

        Assert.All(onEach, a => Assert.NotEqual(429, a.Status));
        Assert.Equal((429, "rate_limited"), await LimitedNode.RedeemAsync(onFirst));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("closed")]
    public async Task When_redis_goes_down_limited_requests_pass_or_are_refused_as_the_operator_chose_never_with_a_500(string whenRedisDown)
    {
        await using var node = new LimitedNode(_directory, _redis.Configuration, perMember: 100, whenRedisDown);
        using var shopper = await node.ShopperAsync();
        Assert.NotEqual(429, (await LimitedNode.RedeemAsync(shopper)).Status);

        await _redis.StopAsync();
        var answers = new[] { await LimitedNode.RedeemAsync(shopper), await LimitedNode.RedeemAsync(shopper) };

        Assert.All(answers, a => Assert.True(a.Status < 500 || a.Code == "rate_limiter_unavailable", $"answered {a.Status} {a.Code}"));
        if (whenRedisDown == "open")
        {
            Assert.All(answers, a => Assert.NotEqual("rate_limiter_unavailable", a.Code));
        }
        else
        {
            Assert.All(answers, a => Assert.Equal((503, "rate_limiter_unavailable"), a));
        }
    }
}
