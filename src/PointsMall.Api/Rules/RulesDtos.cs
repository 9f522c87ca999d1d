using System.Collections.Immutable;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Rules;

/// <summary>Purchase earning: every <c>fenPerStep</c> fen (1/100 yuan) spent earns <c>pointsPerStep</c> points.</summary>
public sealed record PurchaseRuleDto(long? FenPerStep, long? PointsPerStep);

/// <summary>Sign-in ladder: points on streak day 1, 2, …; the bonus every <c>bonusEveryDays</c> consecutive days.</summary>
public sealed record SignInRuleDto(IReadOnlyList<long>? Ladder, long? StreakBonus, int? BonusEveryDays);

public sealed record TierRuleDto(Tier? Tier, long? MinPoints, decimal? Multiplier);

public sealed record ExpiryRuleDto(ExpiryKind? Kind, int? Periods);

public sealed record TaskRuleDto(TaskKind? Kind, long? Points, long? PointsPerCorrectAnswer, int? DailyCap);

public sealed record CampaignDto(string Id, string Name, decimal Multiplier, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Active)
{
    public static CampaignDto From(Campaign c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Name, c.Multiplier, c.StartsAt, c.EndsAt, c.IsActiveAt(now));
    }
}

public sealed record CampaignListDto(IReadOnlyList<CampaignDto> Items);

public sealed record CampaignRequest(string? Id, string? Name, decimal? Multiplier, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt);

/// <summary>The public summary of the programme (GET /rules): what a shopper needs to know to earn.</summary>
public sealed record PublicRulesDto(
    int Version,
    string TimeZone,
    PurchaseRuleDto Purchase,
    decimal PointsPerYuan,
    SignInRuleDto SignIn,
    IReadOnlyList<TierRuleDto> Tiers,
    TierBasis TierBasis,
    ExpiryRuleDto Expiry,
    IReadOnlyList<TaskRuleDto> Tasks,
    IReadOnlyList<CampaignDto> ActiveCampaigns,
    decimal CampaignMultiplier);

/// <summary>
/// The rules as operators edit them (GET/PUT /admin/rules). On PUT every section is optional (a missing one keeps
/// its current value) and <c>version</c>, when given, must be the current version (a stale edit is a 409 conflict).
/// Campaigns are edited through /admin/campaigns and are kept by a PUT.
/// </summary>
public sealed record AdminRulesDto(
    int? Version,
    string? TimeZone,
    PurchaseRuleDto? Purchase,
    SignInRuleDto? SignIn,
    IReadOnlyList<TierRuleDto>? Tiers,
    TierBasis? TierBasis,
    int? TierWindowDays,
    ExpiryRuleDto? Expiry,
    IReadOnlyList<TaskRuleDto>? Tasks,
    IReadOnlyList<CampaignDto>? Campaigns)
{
    public static AdminRulesDto From(ProgramRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var earn = rules.Earn;
        return new AdminRulesDto(
            rules.Version,
            rules.TimeZoneId,
            new PurchaseRuleDto(earn.Purchase.FenPerStep, earn.Purchase.PointsPerStep),
            new SignInRuleDto(earn.SignIn.DailyPoints.IsDefault ? [] : earn.SignIn.DailyPoints, earn.SignIn.StreakBonus, earn.SignIn.BonusEveryDays),
            [.. LevelsOf(rules.Tiers).Select(l => new TierRuleDto(l.Tier, l.MinPoints, l.EarnMultiplier))],
            rules.Tiers.Basis,
            rules.Tiers.WindowDays,
            new ExpiryRuleDto(rules.Expiry.Kind, rules.Expiry.Periods),
            [.. TasksOf(earn).Select(t => new TaskRuleDto(t.Kind, t.Points, t.PointsPerCorrectAnswer, t.DailyCap))],
            [.. CampaignsOf(earn).Select(c => CampaignDto.From(c, now))]);
    }

    internal static ImmutableArray<TierLevel> LevelsOf(TierPolicy tiers) => tiers.Levels.IsDefault ? [] : tiers.Levels;

    internal static ImmutableArray<TaskRule> TasksOf(EarnRules earn) => earn.Tasks.IsDefault ? [] : earn.Tasks;

    internal static ImmutableArray<Campaign> CampaignsOf(EarnRules earn) => earn.Campaigns.IsDefault ? [] : earn.Campaigns;
}
