using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Lottery;

/// <summary>
/// A prize tier (1st electronics, 2nd brand goods, 3rd coupons). <see cref="Probability"/>
/// is the chance of landing on this tier per draw; <see cref="PrizeProductId"/> is the catalogue product a
/// win turns into (a zero-cost order); <see cref="BonusPoints"/> are credited to the winner besides (a tier with
/// no product and only bonus points is a points prize).
/// </summary>
public sealed record PrizeTier(string Id, int Rank, string Name, string? PrizeProductId, double Probability, int Stock, long BonusPoints = 0);

/// <summary>
/// The configured prize table. Any change to tiers, probabilities or stock allocation is a new
/// <see cref="Version"/>; every draw records the version it was drawn against.
/// </summary>
public sealed record PrizeTable(int Version, long CostPoints, long ParticipationPoints, ImmutableArray<PrizeTier> Tiers)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Version <= 0)
        {
            errors.Add("version must be positive");
        }

        if (CostPoints < 0 || ParticipationPoints < 0)
        {
            errors.Add("points must not be negative");
        }

        if (Tiers.IsDefaultOrEmpty)
        {
            errors.Add("at least one prize tier");
            return errors;
        }

        if (Tiers.Any(t => double.IsNaN(t.Probability) || t.Probability < 0 || t.Probability > 1))
        {
            errors.Add("each probability must be within [0, 1]");
        }

        // Summed in decimal, as TierAt does, so 0.1 + 0.2 + 0.7 is exactly 1.
        if (Tiers.All(t => !double.IsNaN(t.Probability) && t.Probability is >= 0 and <= 1) && Tiers.Sum(t => (decimal)t.Probability) > 1m)
        {
            errors.Add("probabilities must sum to at most 1 (the rest is 'no prize')");
        }

        if (Tiers.Any(t => t.Stock < 0))
        {
            errors.Add("tier stock must not be negative");
        }

        if (Tiers.Any(t => t.BonusPoints < 0))
        {
            errors.Add("bonus points must not be negative");
        }

        if (Tiers.Select(t => t.Id).Distinct().Count() != Tiers.Length || Tiers.Select(t => t.Rank).Distinct().Count() != Tiers.Length)
        {
            errors.Add("tier ids and ranks must be unique");
        }

        return errors;
    }

    /// <summary>
    /// Maps a random value in [0, 1) to a tier: tiers occupy consecutive intervals by rank (1st prize first),
    /// each as wide as its probability; the remainder is no prize. Stock is not considered here.
    /// </summary>
    public PrizeTier? TierAt(double randomValue)
    {
        if (double.IsNaN(randomValue) || randomValue < 0 || randomValue >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(randomValue), "The random value must be in [0, 1).");
        }

        // Boundaries are summed in decimal: in binary 0.1 + 0.2 is 0.30000000000000004, which would hand the
        // value 0.3 to the 2nd tier although the 3rd tier's interval starts there. Decimal conversion keeps the
        // 15 significant digits operators type, so the configured boundaries are exact.
        // A value just below 1 may round up to 1; it still belongs to the last interval.
        var value = Math.Min((decimal)randomValue, 0.999999999999999m);
        var upper = 0m;
        foreach (var tier in Tiers.OrderBy(t => t.Rank))
        {
            upper += (decimal)tier.Probability;
            if (value < upper)
            {
                return tier;
            }
        }

        return null;
    }
}

/// <summary>
/// The audit record of one draw: enough to recompute the outcome from the table version. <see cref="DrawNumber"/> is
/// the draw's place in the lottery (1, 2, …); with the lottery's seed and the member it gives <see cref="RandomValue"/>
/// (see <see cref="LotteryFairness"/>). Draws recorded before lotteries had seeds have number 0.
/// </summary>
public sealed record DrawRecord(
    string DrawId,
    string MemberId,
    DateTimeOffset At,
    double RandomValue,
    int TableVersion,
    string? LandedTierId,
    string? WonTierId,
    string? PrizeProductId,
    long CostPoints,
    long ParticipationPoints,
    long DrawNumber = 0,
    long BonusPoints = 0);

public sealed record DrawOutcome(LotteryState State, DrawRecord? Record, Refusal? Refusal, bool Replayed)
{
    public bool Succeeded => Refusal is null;

    public bool Won => Record?.WonTierId is not null;
}

/// <summary>
/// A lottery: the current table, what is left of each tier's stock, and a bounded window of recent draws
/// for idempotency (a retried draw id returns the first record). The complete audit trail is the stream of
/// <see cref="DrawRecord"/>s the grain emits; keeping every draw in state would make a lottery storm rewrite
/// an ever-growing document on each commit.
/// </summary>
public sealed record LotteryState(
    string LotteryId,
    PrizeTable Table,
    ImmutableDictionary<string, int> Remaining,
    ImmutableList<DrawRecord> RecentDraws,
    int RecentDrawCapacity,
    long DrawCount)
{
    public const int DefaultRecentDrawCapacity = 1024;

    public static LotteryState Create(string lotteryId, PrizeTable table, int recentDrawCapacity = DefaultRecentDrawCapacity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lotteryId);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(recentDrawCapacity);
        if (table.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(table));
        }

        return new LotteryState(lotteryId, table, table.Tiers.ToImmutableDictionary(t => t.Id, t => t.Stock), [],
            recentDrawCapacity, 0);
    }

    /// <summary>
    /// Installs a new table version. Remaining stock is carried over for tiers that keep their id, capped at
    /// the new allocation; new tiers start with their full stock. Returns <c>validation_failed</c> for a bad
    /// table and <c>conflict</c> unless the version increases.
    /// </summary>
    public (LotteryState State, Refusal? Refusal) Replace(PrizeTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Validate() is { Count: > 0 } errors)
        {
            return (this, new Refusal(RefusalCode.ValidationFailed, string.Join("; ", errors)));
        }

        if (table.Version <= Table.Version)
        {
            return (this, new Refusal(RefusalCode.Conflict, "version_must_increase"));
        }

        var remaining = table.Tiers.ToImmutableDictionary(
            t => t.Id,
            t => Remaining.TryGetValue(t.Id, out var left) ? Math.Min(left, t.Stock) : t.Stock);
        return (this with { Table = table, Remaining = remaining }, null);
    }

    /// <summary>The number the next draw gets (<see cref="DrawRecord.DrawNumber"/>), which its random value derives from.</summary>
    public long NextDrawNumber => DrawCount + 1;

    /// <summary>
    /// Draws with <paramref name="randomValue"/> in [0, 1) supplied by the caller (so it is recorded and the
    /// draw is reproducible), as draw number <see cref="NextDrawNumber"/>. Landing on a tier whose stock is gone wins nothing: its probability mass is
    /// not handed to other tiers, so their odds never change as stock runs out.
    /// </summary>
    public DrawOutcome Draw(string drawId, string memberId, double randomValue, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(drawId);
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        var previous = RecentDraws.Find(d => d.DrawId == drawId);
        if (previous is not null)
        {
            return previous.MemberId == memberId
                ? new DrawOutcome(this, previous, null, true)
                : new DrawOutcome(this, null, new Refusal(RefusalCode.Conflict, "draw_id_reused"), false);
        }

        var landed = Table.TierAt(randomValue);
        var won = landed is not null && Remaining.GetValueOrDefault(landed.Id) > 0 ? landed : null;
        var record = new DrawRecord(drawId, memberId, now, randomValue, Table.Version, landed?.Id, won?.Id,
            won?.PrizeProductId, Table.CostPoints, Table.ParticipationPoints, NextDrawNumber, won?.BonusPoints ?? 0);
        var recent = RecentDraws.Add(record);
        if (recent.Count > RecentDrawCapacity)
        {
            recent = recent.RemoveRange(0, recent.Count - RecentDrawCapacity);
        }

        var next = this with
        {
            Remaining = won is null ? Remaining : Remaining.SetItem(won.Id, Remaining[won.Id] - 1),
            RecentDraws = recent,
            DrawCount = DrawCount + 1,
        };
        return new DrawOutcome(next, record, null, false);
    }
}
