using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Members;

namespace PointsMall.Domain.Rules;

/// <summary>Member tiers, lowest first (seed 000 §3.2). The order is meaningful: a higher value is a higher tier.</summary>
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
        var errors = new List<string>();
        if (Levels.IsDefaultOrEmpty || Levels[0].MinPoints != 0)
        {
            errors.Add("the lowest tier must start at 0 points");
        }
        else
        {
            for (var i = 1; i < Levels.Length; i++)
            {
                if (Levels[i].MinPoints <= Levels[i - 1].MinPoints || Levels[i].Tier <= Levels[i - 1].Tier)
                {
                    errors.Add("tiers must be listed lowest first with strictly increasing thresholds");
                }
            }
        }

        if (!Levels.IsDefault && Levels.Any(l => l.EarnMultiplier <= 0))
        {
            errors.Add("earn multipliers must be positive");
        }

        if (Basis == TierBasis.EarnedInWindow && WindowDays <= 0)
        {
            errors.Add("the window must be positive");
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
