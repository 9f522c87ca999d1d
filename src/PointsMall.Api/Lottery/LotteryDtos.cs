using System.ComponentModel.DataAnnotations;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Lottery;

namespace PointsMall.Api.Lottery;

/// <summary>One prize tier as shoppers and operators see it: <c>tier</c> is the rank (1 = first prize).</summary>
public sealed record LotteryTierDto(int Tier, string Id, string Name, string? PrizeProductId, double Probability, int Stock, int Remaining, long BonusPoints);

/// <summary>
/// A lottery with what is left of each tier; <c>status</c> is upcoming, active or ended. <c>seedHash</c> commits to the
/// secret seed every draw derives from; <c>seed</c> is published once the lottery has ended.
/// </summary>
public sealed record LotteryDto(
    string Id,
    string Name,
    long Cost,
    long ParticipationPoints,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string Status,
    int Version,
    IReadOnlyList<LotteryTierDto> Tiers,
    double NoPrizeProbability,
    long Draws,
    long Wins,
    int? DailyDrawLimit,
    string? SeedHash,
    string? Seed)
{
    public static LotteryDto From(LotteryView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        var table = view.Table;
        var status = view.StartsAt is { } starts && now < starts ? "upcoming"
            : view.EndsAt is { } ends && now >= ends ? "ended"
            : "active";
        var tiers = table.Tiers.OrderBy(t => t.Rank)
            .Select(t => new LotteryTierDto(t.Rank, t.Id, t.Name, t.PrizeProductId, t.Probability, t.Stock,
                view.Remaining is { } remaining ? remaining.GetValueOrDefault(t.Id) : t.Stock, t.BonusPoints))
            .ToArray();
        var noPrize = (double)Math.Max(0m, 1m - table.Tiers.Sum(t => (decimal)t.Probability));
        return new LotteryDto(view.Id, view.Name, table.CostPoints, table.ParticipationPoints, view.StartsAt, view.EndsAt, status,
            table.Version, tiers, noPrize, view.Draws, view.Wins, view.DailyDrawLimit, view.SeedHash, view.Seed);
    }
}

public sealed record LotteryListDto(IReadOnlyList<LotteryDto> Items);

/// <summary>A draw, as answered and in the history; <c>tier</c> is the rank won (null for no prize), <c>orderId</c> the zero-cost prize order.</summary>
public sealed record DrawDto(
    string DrawId,
    string LotteryId,
    string? LotteryName,
    bool Won,
    int? Tier,
    string? TierId,
    string? TierName,
    string? PrizeProductId,
    string? PrizeName,
    string? OrderId,
    long PointsSpent,
    long ParticipationPoints,
    double? RandomValue,
    int? TableVersion,
    DateTimeOffset? At,
    bool Replayed,
    long DrawNumber,
    long BonusPoints)
{
    public static DrawDto From(string lotteryId, DrawResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var record = result.Record;
        return new DrawDto(result.DrawId, lotteryId, result.LotteryName, result.Won, result.TierRank, record?.WonTierId, result.TierName,
            record?.PrizeProductId, result.PrizeName, result.PrizeOrderId, result.PointsSpent, result.ParticipationPoints,
            record?.RandomValue, record?.TableVersion, record?.At, result.Replayed, record?.DrawNumber ?? 0, result.BonusPoints);
    }

    /// <summary>A draw from the member's history: the same shape, with what verifying it takes.</summary>
    public static DrawDto From(DrawSummary d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.DrawId, d.LotteryId, d.LotteryName, d.Won, d.TierRank, d.TierId, d.TierName, d.PrizeProductId, d.PrizeName,
            d.PrizeOrderId, d.PointsSpent, d.ParticipationPoints, d.RandomValue, d.TableVersion, d.At, Replayed: false, d.DrawNumber, d.BonusPoints);
    }
}

public sealed record DrawHistoryDto(IReadOnlyList<DrawDto> Items, int Page, int PageSize, int Total);

/// <summary>A prize tier in an operator's request; <c>id</c> defaults to <c>t{rank}</c>, ranks follow the list order.</summary>
public sealed record LotteryTierRequest(
    [property: Slug] string? Id,
    [property: Required, Text(100)] string? Name,
    [property: Slug] string? PrizeProductId,
    [property: Required, Range(0d, 1d, ErrorMessage = "Within [{1}, {2}].")] double? Probability,
    [property: Required, Range(0, LotteryRequest.MaxStock, ErrorMessage = "{1} to {2}.")] int? Stock,
    [property: Range(0, LotteryRequest.MaxCost, ErrorMessage = "{1} to {2}.")] long? BonusPoints = null);

/// <summary>
/// Create or replace a lottery. Changing tiers, cost or stock makes a new table version; remaining stock carries over per
/// tier id. <c>dailyDrawLimit</c> caps each member's draws per day (none when absent).
/// </summary>
public sealed record LotteryRequest(
    [property: Slug] string? Id,
    [property: Required, Text(100)] string? Name,
    [property: Required, Range(0, LotteryRequest.MaxCost, ErrorMessage = "{1} to {2} points.")] long? Cost,
    [property: Range(0, LotteryRequest.MaxCost, ErrorMessage = "{1} to {2}.")] long? ParticipationPoints,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    [property: Required, Length(1, LotteryRequest.MaxTiers, ErrorMessage = "{1} to {2} prize tiers.")] IReadOnlyList<LotteryTierRequest?>? Tiers,
    [property: Range(1, LotteryRequest.MaxDailyDraws, ErrorMessage = "{1} to {2}.")] int? DailyDrawLimit = null) : IValidatableObject
{
    public const int MaxTiers = 10;
    public const long MaxCost = 1_000_000;
    public const int MaxStock = 1_000_000;
    public const int MaxDailyDraws = 1_000;

    /// <summary>The prize table the request describes (version 1: the lottery grain numbers its versions).</summary>
    public PrizeTable ToTable() => new(1, Cost ?? 0, ParticipationPoints ?? 0, [.. (Tiers ?? []).Select((tier, i) => new PrizeTier(
        string.IsNullOrWhiteSpace(tier?.Id) ? $"t{i + 1}" : tier.Id.Trim(),
        i + 1,
        tier?.Name?.Trim() ?? "",
        string.IsNullOrWhiteSpace(tier?.PrizeProductId) ? null : tier.PrizeProductId.Trim(),
        tier?.Probability ?? 0,
        tier?.Stock ?? 0,
        tier?.BonusPoints ?? 0))]);

    /// <summary>What concerns the tiers together (probabilities, unique ids) is the prize table's own rule.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StartsAt is { } starts && EndsAt is { } ends && ends <= starts)
        {
            yield return new ValidationResult("The lottery must end after it starts.", [nameof(EndsAt)]);
        }

        if (Tiers?.Any(t => t is null) == true)
        {
            yield return new ValidationResult("A tier is required.", [nameof(Tiers)]);
            yield break;
        }

        foreach (var error in ToTable().Validate())
        {
            yield return new ValidationResult(error, [nameof(Tiers)]);
        }
    }
}

/// <summary>One draw of the audit trail: its number, member, random value and the tier it landed on and won.</summary>
public sealed record LotteryDrawDto(
    long DrawNumber,
    string DrawId,
    string MemberId,
    DateTimeOffset At,
    double RandomValue,
    int TableVersion,
    string? LandedTierId,
    string? WonTierId,
    string? PrizeProductId,
    long Cost,
    long ParticipationPoints,
    long BonusPoints)
{
    public static LotteryDrawDto From(DrawRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.DrawNumber, r.DrawId, r.MemberId, r.At, r.RandomValue, r.TableVersion, r.LandedTierId, r.WonTierId, r.PrizeProductId,
            r.CostPoints, r.ParticipationPoints, r.BonusPoints);
    }
}

public sealed record LotteryDrawPageDto(IReadOnlyList<LotteryDrawDto> Items, int Page, int PageSize, int Total);

/// <summary>A prize table version as verifying a draw needs it: the tiers' ids, ranks and probabilities.</summary>
public sealed record FairnessTableDto(int Version, IReadOnlyList<FairnessTierDto> Tiers);

public sealed record FairnessTierDto(string Id, int Rank, string Name, double Probability);

/// <summary>
/// What anyone needs to check a lottery's draws: the commitment, the seed once the lottery has ended, how a draw's value is
/// derived and how a value maps to a tier, and every table version drawn against.
/// </summary>
public sealed record LotteryFairnessDto(string LotteryId, string? SeedHash, string? Seed, bool Closed, string Algorithm, string TierRule, IReadOnlyList<FairnessTableDto> Tables)
{
    public const string TierRuleText = "tiers take consecutive intervals of [0, 1) by rank, each as wide as its probability (boundaries summed as decimals); a value past the last is no prize; a tier whose stock was gone wins nothing";

    public static LotteryFairnessDto From(LotteryView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Id, view.SeedHash, view.Seed, view.Seed is not null, LotteryFairness.Algorithm, TierRuleText,
            [.. view.Tables.Select(t => new FairnessTableDto(t.Version, [.. t.Tiers.OrderBy(x => x.Rank).Select(x => new FairnessTierDto(x.Id, x.Rank, x.Name, x.Probability))]))]);
    }
}
