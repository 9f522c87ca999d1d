using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;

namespace PointsMall.Domain.Rules;

/// <summary>Member tiers, lowest first. The order is meaningful: a higher value is a higher tier.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Tier>))]
public enum Tier
{
    /// <summary>普通会员</summary>
    Regular = 0,

    /// <summary>银卡会员</summary>
    Silver = 1,

    /// <summary>金卡会员</summary>
    Gold = 2,

    /// <summary>钻石会员</summary>
    Diamond = 3,
}

/// <summary>The names a tier is written with: its enum name (any case, never a number) or its Chinese name.</summary>
public static class TierNames
{
    public static bool TryParse(string? name, out Tier tier)
    {
        if (EnumNames.TryParse(name, out tier))
        {
            return true;
        }

        var trimmed = name?.Trim();

        (tier, var known) = trimmed switch
        {
            not null when trimmed.StartsWith("钻石", StringComparison.Ordinal) => (Tier.Diamond, true),
            not null when trimmed.StartsWith("金卡", StringComparison.Ordinal) => (Tier.Gold, true),
            not null when trimmed.StartsWith("银卡", StringComparison.Ordinal) => (Tier.Silver, true),
            not null when trimmed.StartsWith("普通", StringComparison.Ordinal) => (Tier.Regular, true),
            _ => (Tier.Regular, false),
        };
        return known;
    }

    /// <summary>The tier's Chinese name: 普通, 银卡, 金卡, 钻石.</summary>
    public static string Chinese(Tier tier) => tier switch
    {
        Tier.Silver => "银卡",
        Tier.Gold => "金卡",
        Tier.Diamond => "钻石",
        _ => "普通",
    };
}

[JsonConverter(typeof(JsonStringEnumConverter<TierBasis>))]
public enum TierBasis
{
    /// <summary>All points ever earned (adjustments and refunds do not count).</summary>
    LifetimeEarned,

    /// <summary>Points earned within the last <see cref="TierPolicy.WindowDays"/> days.</summary>
    EarnedInWindow,
}

/// <summary>A tier starts at <see cref="MinPoints"/> (inclusive) and earns at <see cref="EarnMultiplier"/>.</summary>
public sealed record TierLevel(Tier Tier, long MinPoints, decimal EarnMultiplier);

public sealed record TierPolicy(ImmutableArray<TierLevel> Levels, TierBasis Basis, int WindowDays)
{
    /// <summary>普通 0–999, 银卡 1000–4999, 金卡 5000–9999, 钻石 10000+; 1×, 1.2×, 1.5×, 2×; lifetime basis.</summary>
    public static TierPolicy Default { get; } = new(
        [
            new TierLevel(Tier.Regular, 0, 1.0m),
            new TierLevel(Tier.Silver, 1000, 1.2m),
            new TierLevel(Tier.Gold, 5000, 1.5m),
            new TierLevel(Tier.Diamond, 10000, 2.0m),
        ],
        TierBasis.LifetimeEarned,
        365);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(ValidateLevels(Levels.IsDefault ? [] : Levels));
        if (Basis == TierBasis.EarnedInWindow && WindowDays <= 0)
        {
            errors.Add("the window must be positive");
        }

        return errors;
    }

    /// <summary>What is wrong with a list of levels on its own: lowest first from 0 points, thresholds and tiers increasing, multipliers positive.</summary>
    public static IReadOnlyList<string> ValidateLevels(IReadOnlyList<TierLevel> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var errors = new List<string>();
        if (levels.Count == 0 || levels[0].MinPoints != 0)
        {
            errors.Add("the lowest tier must start at 0 points");
        }
        else
        {
            for (var i = 1; i < levels.Count; i++)
            {
                if (levels[i].MinPoints <= levels[i - 1].MinPoints || levels[i].Tier <= levels[i - 1].Tier)
                {
                    errors.Add("tiers must be listed lowest first with strictly increasing thresholds");
                }
            }
        }

        if (levels.Any(l => l.EarnMultiplier <= 0))
        {
            errors.Add("earn multipliers must be positive");
        }

        return errors;
    }

    public Tier TierFor(long points) => Levels.Last(l => l.MinPoints <= Math.Max(0, points)).Tier;

    public decimal MultiplierFor(Tier tier) =>
        Levels.FirstOrDefault(l => l.Tier == tier)?.EarnMultiplier ?? 1.0m;

    /// <summary>The points the tier is judged on, per <see cref="Basis"/>.</summary>
    public long QualifyingPoints(PointsAccount account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        return Basis == TierBasis.LifetimeEarned
            ? account.LifetimeEarned
            : account.EarnedBetween(now.AddDays(-WindowDays), now.AddTicks(1));
    }

    public Tier Evaluate(PointsAccount account, DateTimeOffset now) => TierFor(QualifyingPoints(account, now));
}
