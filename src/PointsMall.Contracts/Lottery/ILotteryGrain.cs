using PointsMall.Actors;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Lottery;

namespace PointsMall.Contracts.Lottery;

/// <summary>
/// A lottery (key: lottery id): its versioned prize table with per-tier stock and its draw records. Its turns
/// never wait on another grain, so a lottery storm runs at the rate of in-memory turns; paying for a draw and
/// issuing a prize is orchestrated by the draw's own grain (<see cref="IDrawGrain"/>).
/// </summary>
[GrainType("lottery")]
public interface ILotteryGrain : IGrain
{
    Task<LotteryResult> ConfigureAsync(ConfigureLottery command);

    /// <summary>The lottery, or null when it was never configured.</summary>
    Task<LotteryView?> GetAsync();

    /// <summary>
    /// Draws for a paid draw (idempotent by draw id): takes a random value, picks a tier whose stock is not gone,
    /// decrements it and records the draw with the random value and the prize-table version.
    /// </summary>
    Task<DrawResult> DrawAsync(string drawId, string memberId);

    /// <summary>
    /// Like <see cref="DrawAsync"/> for a draw whose cost was already spent: refused with <c>conflict</c>
    /// (<c>cost_changed</c>) when the table's cost is no longer what was paid, so the payer is refunded instead of
    /// drawing at a price it did not pay.
    /// </summary>
    Task<DrawResult> DrawPaidAsync(PaidDraw draw);
}

/// <summary>
/// The lotteries that exist (key: <c>all</c>), for listing. A lottery registers itself here when it is first
/// configured and updates its name on a change.
/// </summary>
[GrainType("lottery-directory")]
public interface ILotteryDirectoryGrain : IGrain
{
    Task RegisterAsync(LotteryEntry entry);

    /// <summary>Every lottery, oldest first.</summary>
    Task<IReadOnlyList<LotteryEntry>> ListAsync();
}

/// <summary>One member's draws, newest first (key: member id). Draw sagas add their outcome when they finish.</summary>
[GrainType("member-draws")]
public interface IMemberDrawsGrain : IGrain
{
    /// <summary>Adds (or, for a draw id already there, keeps) a finished draw.</summary>
    Task AddAsync(DrawSummary draw);

    Task<DrawHistoryPage> ListAsync(int page, int pageSize);
}

public static class LotteryKeys
{
    public const string Directory = "all";
}

public sealed record PaidDraw(string DrawId, string MemberId, long PaidCost);

public sealed record LotteryEntry(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>A finished draw as the member's history shows it.</summary>
public sealed record DrawSummary(
    string DrawId,
    string LotteryId,
    string LotteryName,
    DateTimeOffset At,
    bool Won,
    string? TierId,
    int? TierRank,
    string? TierName,
    string? PrizeProductId,
    string? PrizeName,
    string? PrizeOrderId,
    long PointsSpent,
    long ParticipationPoints);

public sealed record DrawHistoryPage(IReadOnlyList<DrawSummary> Items, int Page, int PageSize, int Total);

/// <summary>
/// One draw (key: draw id, derived like order ids from member and idempotency key): spends the cost at the
/// member, draws, creates the prize order on a win and credits participation points. A saga like an order.
/// </summary>
[GrainType("draw")]
public interface IDrawGrain : IGrain
{
    Task<DrawResult> DrawAsync(string lotteryId, string memberId);

    Task<DrawResult?> GetAsync();
}

public sealed record ConfigureLottery(string Name, PrizeTable Table, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt);

/// <summary>The lottery; <see cref="Remaining"/> is what is left of each tier's stock (by tier id).</summary>
public sealed record LotteryView(
    string Id,
    string Name,
    PrizeTable Table,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    long Draws,
    long Wins,
    IReadOnlyDictionary<string, int>? Remaining = null);

public sealed record LotteryResult(LotteryView? Lottery, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// A draw's outcome: the record (random value, table version, tier won) and, for a win, the prize order id.
/// </summary>
public sealed record DrawResult(string DrawId, DrawRecord? Record, string? PrizeOrderId, long PointsSpent, long ParticipationPoints, bool Replayed, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;

    public bool Won => Record?.WonTierId is not null;

    /// <summary>Set by the draw saga: the lottery's name when the draw began.</summary>
    public string? LotteryName { get; init; }

    /// <summary>Set by the draw saga on a win: the tier as configured in the table version drawn against.</summary>
    public int? TierRank { get; init; }

    public string? TierName { get; init; }

    /// <summary>Set by the draw saga on a win: the prize product's name (from the prize order).</summary>
    public string? PrizeName { get; init; }
}

/// <summary>
/// Draw ids (DESIGN.md rule 4): derived from the member and the client's idempotency key, so a retry reaches the
/// same draw and no key can ever reach another member's draw.
/// </summary>
public static class DrawIds
{
    public static string For(string memberId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"draw\n{memberId}\n{idempotencyKey}"));
        return "d-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
