using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Lottery;

namespace PointsMall.Api.Lottery;

/// <summary>One prize tier as shoppers and operators see it: <c>tier</c> is the rank (1 = first prize).</summary>
public sealed record LotteryTierDto(int Tier, string Id, string Name, string? PrizeProductId, double Probability, int Stock, int Remaining);

/// <summary>A lottery with what is left of each tier; <c>status</c> is upcoming, active or ended.</summary>
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
    long Wins)
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
                view.Remaining is { } remaining ? remaining.GetValueOrDefault(t.Id) : t.Stock))
            .ToArray();
        var noPrize = (double)Math.Max(0m, 1m - table.Tiers.Sum(t => (decimal)t.Probability));
        return new LotteryDto(view.Id, view.Name, table.CostPoints, table.ParticipationPoints, view.StartsAt, view.EndsAt, status,
            table.Version, tiers, noPrize, view.Draws, view.Wins);
    }
}

public sealed record LotteryListDto(IReadOnlyList<LotteryDto> Items);

/// <summary>The outcome of a draw; <c>tier</c> is the rank won (null for no prize), <c>orderId</c> the zero-cost prize order.</summary>
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
    bool Replayed)
{
    public static DrawDto From(string lotteryId, DrawResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var record = result.Record;
        return new DrawDto(result.DrawId, lotteryId, result.LotteryName, result.Won, result.TierRank, record?.WonTierId, result.TierName,
            record?.PrizeProductId, result.PrizeName, result.PrizeOrderId, result.PointsSpent, result.ParticipationPoints,
            record?.RandomValue, record?.TableVersion, record?.At, result.Replayed);
    }
}

public sealed record DrawHistoryItemDto(
    string DrawId,
    string LotteryId,
    string LotteryName,
    DateTimeOffset At,
    bool Won,
    int? Tier,
    string? TierId,
    string? TierName,
    string? PrizeProductId,
    string? PrizeName,
    string? OrderId,
    long PointsSpent,
    long ParticipationPoints)
{
    public static DrawHistoryItemDto From(DrawSummary d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.DrawId, d.LotteryId, d.LotteryName, d.At, d.Won, d.TierRank, d.TierId, d.TierName, d.PrizeProductId, d.PrizeName,
            d.PrizeOrderId, d.PointsSpent, d.ParticipationPoints);
    }
}

public sealed record DrawHistoryDto(IReadOnlyList<DrawHistoryItemDto> Items, int Page, int PageSize, int Total);

/// <summary>A prize tier in an operator's request; <c>id</c> defaults to <c>t{rank}</c>, ranks follow the list order.</summary>
public sealed record LotteryTierRequest(string? Id, string? Name, string? PrizeProductId, double? Probability, int? Stock);

/// <summary>Create or replace a lottery. Changing tiers, cost or stock makes a new table version; remaining stock carries over per tier id.</summary>
public sealed record LotteryRequest(
    string? Id,
    string? Name,
    long? Cost,
    long? ParticipationPoints,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    IReadOnlyList<LotteryTierRequest>? Tiers);

internal static class LotteryRequestValidation
{
    public const int MaxTiers = 10;
    public const long MaxCost = 1_000_000;
    public const int MaxStock = 1_000_000;

    /// <summary>Field errors of a request (empty when valid) and, when valid, the table it describes.</summary>
    public static (Dictionary<string, string[]> Errors, PrizeTable? Table) Validate(LotteryRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["Name is 1 to 100 characters."];
        }

        if (request.Cost is not { } cost || cost < 0 || cost > MaxCost)
        {
            errors["cost"] = [$"Cost is 0 to {MaxCost} points."];
        }

        if (request.ParticipationPoints is < 0 or > MaxCost)
        {
            errors["participationPoints"] = [$"Participation points are 0 to {MaxCost}."];
        }

        if (request.StartsAt is { } starts && request.EndsAt is { } ends && ends <= starts)
        {
            errors["endsAt"] = ["The lottery must end after it starts."];
        }

        if (request.Tiers is not { Count: > 0 and <= MaxTiers } tiers)
        {
            errors["tiers"] = [$"1 to {MaxTiers} prize tiers."];
            return (errors, null);
        }

        var built = new List<PrizeTier>();
        for (var i = 0; i < tiers.Count; i++)
        {
            var tier = tiers[i];
            var field = $"tiers[{i}]";
            if (tier is null)
            {
                errors[field] = ["A tier is required."];
                continue;
            }

            var id = string.IsNullOrWhiteSpace(tier.Id) ? $"t{i + 1}" : tier.Id.Trim();
            if (!LotteryIds.IsWellFormed(id))
            {
                errors[field + ".id"] = ["A tier id is 1 to 64 letters, digits, '-' or '_'."];
            }

            if (string.IsNullOrWhiteSpace(tier.Name) || tier.Name.Trim().Length > 100)
            {
                errors[field + ".name"] = ["Name is 1 to 100 characters."];
            }

            if (tier.PrizeProductId is { } product && !LotteryIds.IsWellFormed(product.Trim()))
            {
                errors[field + ".prizeProductId"] = ["Not a product id."];
            }

            if (tier.Probability is not { } p || !double.IsFinite(p) || p < 0 || p > 1)
            {
                errors[field + ".probability"] = ["Probability is within [0, 1]."];
            }

            if (tier.Stock is not { } stock || stock < 0 || stock > MaxStock)
            {
                errors[field + ".stock"] = [$"Stock is 0 to {MaxStock}."];
            }

            built.Add(new PrizeTier(id, i + 1, tier.Name?.Trim() ?? "", string.IsNullOrWhiteSpace(tier.PrizeProductId) ? null : tier.PrizeProductId.Trim(),
                tier.Probability ?? 0, tier.Stock ?? 0));
        }

        if (errors.Count > 0)
        {
            return (errors, null);
        }

        if (built.Sum(t => (decimal)t.Probability) > 1m)
        {
            errors["tiers"] = ["Probabilities sum to at most 1 (the rest is no prize)."];
        }

        if (built.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count() != built.Count)
        {
            errors["tiers"] = ["Tier ids must be unique."];
        }

        return errors.Count > 0
            ? (errors, null)
            : (errors, new PrizeTable(1, request.Cost!.Value, request.ParticipationPoints ?? 0, [.. built]));
    }
}

/// <summary>Ids in routes and bodies: short and plain, so a malformed one is refused before any grain is activated for it.</summary>
internal static class LotteryIds
{
    public static bool IsWellFormed(string? id)
        => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
