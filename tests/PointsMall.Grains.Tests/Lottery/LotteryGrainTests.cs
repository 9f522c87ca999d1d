using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Lottery;
using PointsMall.Grains.Lottery;
using PointsMall.Grains.Tests.Catalog;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Lottery.LotteryTestData;

namespace PointsMall.Grains.Tests.Lottery;

public sealed class LotteryGrainTests
{
    private readonly StreamProbe<DrawRecord> _audit = new();

    [Fact]
    public async Task An_exhausted_tier_is_never_won_under_1000_concurrent_draws()
    {
        // Every draw lands on the first prize, which has 3 units.
        var random = new ScriptedRandom([], fallback: 0.05);
        await using var silo = await StartAsync(random);
        var lottery = silo.Grain<ILotteryGrain>("storm");
        await lottery.ConfigureAsync(new ConfigureLottery("Storm", Table(firstStock: 3), null, null));

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => lottery.DrawAsync($"d-{i}", $"m-{i % 97}")));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.All(results, r => Assert.Equal("first", r.Record!.LandedTierId));
        Assert.Equal(3, results.Count(r => r.Won));
        var view = (await lottery.GetAsync())!;
        Assert.Equal((1000L, 3L), (view.Draws, view.Wins));

        // The state keeps a bounded window, but the audit stream has every draw, committed with it.
        await _audit.WaitForAsync(a => a.Count >= 1000, "1000 draw records on the audit stream");
        Assert.Equal(3, _audit.Seen.Count(r => r.WonTierId == "first"));
        Assert.Equal(1000, _audit.Seen.Select(r => r.DrawId).Distinct().Count());
    }

    [Fact]
    public async Task The_tier_won_follows_the_injected_random_value()
    {
        var random = new ScriptedRandom([0.05, 0.1, 0.29, 0.31, 0.59, 0.61, 0.999]);
        await using var silo = await StartAsync(random);
        var lottery = silo.Grain<ILotteryGrain>("odds");
        await lottery.ConfigureAsync(new ConfigureLottery("Odds", Table(), null, null));

        var won = new List<string?>();
        for (var i = 0; i < 7; i++)
        {
            won.Add((await lottery.DrawAsync($"d-{i}", "m-1")).Record!.WonTierId);
        }

        Assert.Equal(["first", "second", "second", "third", "third", null, null], won);
    }

    [Fact]
    public async Task Landing_on_a_tier_whose_stock_is_gone_wins_nothing_and_leaves_the_other_tiers_alone()
    {
        var random = new ScriptedRandom([0.05, 0.05, 0.15]);
        await using var silo = await StartAsync(random);
        var lottery = silo.Grain<ILotteryGrain>("gone");
        await lottery.ConfigureAsync(new ConfigureLottery("Gone", Table(firstStock: 1), null, null));

        var first = await lottery.DrawAsync("d-1", "m-1");
        var second = await lottery.DrawAsync("d-2", "m-2");
        var third = await lottery.DrawAsync("d-3", "m-3");

        Assert.Equal("first", first.Record!.WonTierId);
        Assert.Equal(("first", (string?)null), (second.Record!.LandedTierId, second.Record.WonTierId));
        Assert.False(second.Won);
        Assert.Equal("second", third.Record!.WonTierId);
    }

    [Fact]
    public async Task Every_draw_record_carries_its_random_value_and_table_version_and_a_retry_returns_the_first_record()
    {
        var random = new ScriptedRandom([0.42, 0.77]);
        await using var silo = await StartAsync(random);
        var lottery = silo.Grain<ILotteryGrain>("audit");
        await lottery.ConfigureAsync(new ConfigureLottery("Audit", Table(), null, null));
        var before = await lottery.DrawAsync("d-1", "m-1");

        var reconfigured = await lottery.ConfigureAsync(new ConfigureLottery("Audit", Table(thirdStock: 500), null, null));
        var after = await lottery.DrawAsync("d-2", "m-1");
        var retried = await lottery.DrawAsync("d-1", "m-1");

        Assert.Equal(2, reconfigured.Lottery!.Table.Version);
        Assert.Equal((0.42, 1, "third"), (before.Record!.RandomValue, before.Record.TableVersion, before.Record.WonTierId));
        Assert.Equal((0.77, 2), (after.Record!.RandomValue, after.Record.TableVersion));
        Assert.True(retried.Replayed);
        Assert.Equal(before.Record, retried.Record);
        Assert.Equal(2, random.Taken);
        Assert.Equal("conflict", (await lottery.DrawAsync("d-1", "m-other")).Refusal?.Code);

        await _audit.WaitForAsync(a => a.Count >= 2, "both draw records on the audit stream");
        Assert.Equal([before.Record, after.Record], _audit.Seen);
    }

    [Fact]
    public async Task Draws_survive_a_restart_and_a_retried_draw_id_is_still_a_replay()
    {
        var random = new ScriptedRandom([0.05, 0.05]);
        string databasePath;
        FakeTimeProvider time;
        DrawResult first;
        await using (var silo = await StartAsync(random))
        {
            databasePath = silo.DatabasePath;
            time = silo.Time;
            var lottery = silo.Grain<ILotteryGrain>("durable");
            await lottery.ConfigureAsync(new ConfigureLottery("Durable", Table(firstStock: 1), null, null));
            first = await lottery.DrawAsync("d-1", "m-1");
        }

        await using var restarted = await GrainsSilo.StartAsync(databasePath, time, random.Install);
        var reloaded = restarted.Grain<ILotteryGrain>("durable");
        var retried = await reloaded.DrawAsync("d-1", "m-1");
        var next = await reloaded.DrawAsync("d-2", "m-2");

        Assert.True(retried.Replayed);
        Assert.Equal(first.Record, retried.Record);
        Assert.False(next.Won);
        Assert.Equal((2L, 1L), ((await reloaded.GetAsync())!.Draws, (await reloaded.GetAsync())!.Wins));
    }

    [Fact]
    public async Task Configure_validates_the_table_and_only_a_changed_table_gets_a_new_version()
    {
        await using var silo = await StartAsync(new ScriptedRandom([]));
        var lottery = silo.Grain<ILotteryGrain>("config");

        Assert.Equal("validation_failed", (await lottery.ConfigureAsync(new ConfigureLottery("Bad", Table() with { CostPoints = -1 }, null, null))).Refusal?.Code);
        Assert.Null(await lottery.GetAsync());

        var created = await lottery.ConfigureAsync(new ConfigureLottery("Spring", Table(), null, null));
        var same = await lottery.ConfigureAsync(new ConfigureLottery("Spring draw", Table(), null, null));
        var changed = await lottery.ConfigureAsync(new ConfigureLottery("Spring draw", Table(cost: 80), null, null));
        var invalid = await lottery.ConfigureAsync(new ConfigureLottery("Spring draw", Table(firstStock: -1), null, null));

        Assert.Equal(1, created.Lottery!.Table.Version);
        Assert.Equal((1, "Spring draw"), (same.Lottery!.Table.Version, same.Lottery.Name));
        Assert.Equal((2, 80L), (changed.Lottery!.Table.Version, changed.Lottery.Table.CostPoints));
        Assert.Equal("validation_failed", invalid.Refusal?.Code);
        Assert.Equal(2, (await lottery.GetAsync())!.Table.Version);
    }

    [Fact]
    public async Task A_draw_outside_the_lottery_window_or_of_an_unknown_lottery_is_refused()
    {
        await using var silo = await StartAsync(new ScriptedRandom([]));
        var now = silo.Time.GetUtcNow();
        var lottery = silo.Grain<ILotteryGrain>("window");
        await lottery.ConfigureAsync(new ConfigureLottery("Window", Table(), now.AddHours(1), now.AddHours(2)));

        Assert.Equal("lottery_not_started", (await lottery.DrawAsync("d-1", "m-1")).Refusal?.Detail);
        silo.Time.Advance(TimeSpan.FromHours(1));
        Assert.True((await lottery.DrawAsync("d-2", "m-1")).Succeeded);
        silo.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("lottery_ended", (await lottery.DrawAsync("d-3", "m-1")).Refusal?.Detail);
        Assert.Equal("not_found", (await silo.Grain<ILotteryGrain>("none").DrawAsync("d-1", "m-1")).Refusal?.Code);
    }

    private Task<GrainsSilo> StartAsync(ScriptedRandom random) => GrainsSilo.StartAsync(configure: b =>
    {
        random.Install(b);
        _audit.Subscribe(b, LotteryStreams.Draws);
    });
}
