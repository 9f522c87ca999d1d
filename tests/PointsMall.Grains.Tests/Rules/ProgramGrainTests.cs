using PointsMall.Contracts.Rules;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Rules;

public sealed class ProgramGrainTests
{
    [Fact]
    public async Task The_default_rules_are_served_until_an_operator_changes_them()
    {
        await using var silo = await GrainsSilo.StartAsync();

        var rules = await silo.Grain<IProgramGrain>(Programs.Default).GetAsync();

        Assert.Equal(ProgramRules.Default.Version, rules.Version);
        Assert.Equal("Asia/Shanghai", rules.TimeZoneId);
        Assert.Equal(ProgramRules.Default.Expiry, rules.Expiry);
    }

    [Fact]
    public async Task An_update_bumps_the_version_and_one_based_on_a_stale_version_is_a_conflict_that_changes_nothing()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var program = silo.Grain<IProgramGrain>(Programs.Default);
        var original = await program.GetAsync();

        var first = await program.UpdateAsync(original with { Expiry = ExpiryPolicy.RollingDays(30) });
        var stale = await program.UpdateAsync(original with { Expiry = ExpiryPolicy.Never });

        Assert.True(first.Succeeded);
        Assert.Equal(original.Version + 1, first.Rules!.Version);
        Assert.Equal("conflict", stale.Refusal?.Code);
        var current = await program.GetAsync();
        Assert.Equal(ExpiryPolicy.RollingDays(30), current.Expiry);
        Assert.Equal(original.Version + 1, current.Version);
    }

    [Fact]
    public async Task Invalid_rules_are_refused_with_validation_failed_and_change_nothing()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var program = silo.Grain<IProgramGrain>(Programs.Default);
        var original = await program.GetAsync();

        var badZone = await program.UpdateAsync(original with { TimeZoneId = "Nowhere/Atlantis" });
        var badRatio = await program.UpdateAsync(original with { Earn = original.Earn with { Purchase = new PurchaseEarnRule(0, 1) } });
        var badTiers = await program.UpdateAsync(original with { Tiers = original.Tiers with { Levels = [] } });

        Assert.All([badZone, badRatio, badTiers], r => Assert.Equal("validation_failed", r.Refusal?.Code));
        Assert.Contains("time zone", badZone.Refusal!.Detail, StringComparison.Ordinal);
        var current = await program.GetAsync();
        Assert.Equal(original.Version, current.Version);
        Assert.Equal(original.TimeZoneId, current.TimeZoneId);
    }

    [Fact]
    public async Task Campaigns_are_added_replaced_and_removed_and_every_change_bumps_the_version()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var program = silo.Grain<IProgramGrain>(Programs.Default);
        var now = silo.Time.GetUtcNow();
        var doublePoints = new Campaign("double-11", "双十一双倍积分", 2.0m, now, now.AddDays(1));

        var added = await program.SaveCampaignAsync(doublePoints);
        var replaced = await program.SaveCampaignAsync(doublePoints with { Multiplier = 3.0m });
        var invalid = await program.SaveCampaignAsync(doublePoints with { Id = "bad", EndsAt = now.AddDays(-1) });
        var removed = await program.RemoveCampaignAsync("double-11");
        var missing = await program.RemoveCampaignAsync("double-11");

        Assert.Equal(3.0m, Assert.Single(replaced.Rules!.Earn.Campaigns).Multiplier);
        Assert.Equal(added.Rules!.Version + 1, replaced.Rules.Version);
        Assert.Equal("validation_failed", invalid.Refusal?.Code);
        Assert.Empty(removed.Rules!.Earn.Campaigns);
        Assert.Equal(replaced.Rules.Version + 1, removed.Rules.Version);
        Assert.Equal("not_found", missing.Refusal?.Code);
    }

    [Fact]
    public async Task Changed_rules_survive_a_restart()
    {
        ProgramRules saved;
        var first = await GrainsSilo.StartAsync();
        await using (first)
        {
            var program = first.Grain<IProgramGrain>(Programs.Default);
            var result = await program.UpdateAsync((await program.GetAsync()) with { Expiry = ExpiryPolicy.EndOfYear(1) });
            saved = result.Rules!;
        }

        await using var second = await GrainsSilo.StartAsync(first.DatabasePath, first.Time);
        var reloaded = await second.Grain<IProgramGrain>(Programs.Default).GetAsync();

        Assert.Equal(saved.Version, reloaded.Version);
        Assert.Equal(ExpiryPolicy.EndOfYear(1), reloaded.Expiry);
        Assert.Equal(saved.Tiers.Levels.ToArray(), reloaded.Tiers.Levels.ToArray());
    }
}
