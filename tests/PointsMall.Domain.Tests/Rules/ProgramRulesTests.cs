using System.Collections.Immutable;
using PointsMall.Domain.Rules;

namespace PointsMall.Domain.Tests.Rules;

public sealed class ProgramRulesTests
{
    [Fact]
    public void The_default_rules_are_valid() => Assert.Empty(ProgramRules.Default.Validate());

    [Fact]
    public void An_unknown_time_zone_is_reported() =>
        Assert.Contains((ProgramRules.Default with { TimeZoneId = "Mars/Olympus" }).Validate(), e => e.Contains("time zone", StringComparison.Ordinal));

    [Fact]
    public void Errors_of_every_part_are_collected()
    {
        var rules = ProgramRules.Default with
        {
            Version = 0,
            Earn = EarnRules.Default with { Purchase = new PurchaseEarnRule(0, 1) },
            Tiers = TierPolicy.Default with { Levels = [new TierLevel(Tier.Regular, 100, 1m)] },
            Expiry = ExpiryPolicy.RollingDays(0),
        };

        var errors = rules.Validate();

        Assert.Contains(errors, e => e.Contains("version", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("purchase ratio", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("lowest tier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("rolling", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_rules_for_one_task_kind_are_refused() =>
        Assert.NotEmpty((ProgramRules.Default with
        {
            Earn = EarnRules.Default with { Tasks = TaskRule.Defaults.Add(new TaskRule(TaskKind.Share, 1, 0, 1)) },
        }).Validate());

    [Fact]
    public void Missing_parts_are_reported_rather_than_thrown() =>
        Assert.NotEmpty(new ProgramRules(1, "Asia/Shanghai", null!, TierPolicy.Default, ExpiryPolicy.Never).Validate());

    [Fact]
    public void An_empty_campaign_list_is_valid() =>
        Assert.Empty((ProgramRules.Default with { Earn = EarnRules.Default with { Campaigns = ImmutableArray<Campaign>.Empty } }).Validate());
}
