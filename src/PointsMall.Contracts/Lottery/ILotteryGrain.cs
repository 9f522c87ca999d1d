using PointsMall.Contracts.Common;
using PointsMall.Domain.Lottery;

namespace PointsMall.Contracts.Lottery;

/// <summary>
/// A lottery (key: lottery id): its versioned prize table with per-tier stock and its draw records. Its turns
/// never wait on another grain, so a lottery storm runs at the rate of in-memory turns; paying for a draw and
/// issuing a prize is orchestrated by the draw's own grain (<see cref="IDrawGrain"/>).
/// </summary>
[Alias("lottery")]
public interface ILotteryGrain : IGrainWithStringKey
{
    Task<LotteryResult> ConfigureAsync(ConfigureLottery command);

    /// <summary>The lottery, or null when it was never configured.</summary>
    Task<LotteryView?> GetAsync();

    /// <summary>
    /// What a draw needs to know before it pays (name, current table, window, daily limit), or null when never
    /// configured: lighter than <see cref="GetAsync"/>, which carries every table version and the seed's hash.
    /// </summary>
    Task<LotteryTerms?> GetTermsAsync();

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

    /// <summary>
    /// Ends the lottery now (no more draws) and so publishes its seed; closing a closed lottery changes nothing.
    /// <c>not_found</c> when it was never configured.
    /// </summary>
    Task<LotteryResult> CloseAsync();
}

/// <summary>
/// A lottery's draw audit trail (key: lottery id): every draw the lottery made, newest first. Each entry is written by
/// the lottery in the same commit as the draw, so the trail is never behind the stock it took.
/// </summary>
[Alias("lottery-draws")]
public interface ILotteryDrawsGrain : IGrainWithStringKey
{
    public const string Index = "lottery-draws";

    public const int MaxPageSize = 100;

    Task<LotteryDrawPage> ListAsync(LotteryDrawQuery query);
}

/// <summary>
/// A page of the audit trail: <see cref="Outcome"/> is <c>won</c>, <c>lost</c>, a tier id, or null for all;
/// <see cref="MemberId"/> matches a member id exactly.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LotteryDrawQuery(
    [property: Id(0)] string? MemberId,
    [property: Id(1)] string? Outcome,
    [property: Id(2)] int Page,
    [property: Id(3)] int PageSize);

[GenerateSerializer, Immutable]
public sealed record LotteryDrawPage([property: Id(0)] IReadOnlyList<DrawRecord> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary>
/// The lotteries that exist (key: <c>all</c>), for listing. A lottery registers itself here when it is first
/// configured and updates its name on a change.
/// </summary>
[Alias("lottery-directory")]
public interface ILotteryDirectoryGrain : IGrainWithStringKey
{
    Task RegisterAsync(LotteryEntry entry);

    /// <summary>Every lottery, oldest first.</summary>
    Task<IReadOnlyList<LotteryEntry>> ListAsync();
}

/// <summary>One member's draws, newest first (key: member id). Draw sagas add their outcome when they finish.</summary>
[Alias("member-draws")]
public interface IMemberDrawsGrain : IGrainWithStringKey
{
    /// <summary>Adds (or, for a draw id already there, keeps) a finished draw.</summary>
    Task AddAsync(DrawSummary draw);

    Task<DrawHistoryPage> ListAsync(int page, int pageSize);

    /// <summary>
    /// Admits a draw under the lottery's per-member daily limit before anything is spent: idempotent by draw id, and
    /// refused with <c>limit_exceeded</c> (<c>daily_draw_limit</c>) once the member's admitted draws of that lottery on
    /// <see cref="DrawAdmission.Day"/> reach the limit.
    /// </summary>
    Task<Problem?> AdmitAsync(DrawAdmission admission);

    /// <summary>Gives back the admission of a draw that ended without drawing (the member could not pay, or the lottery refused).</summary>
    Task ReleaseAsync(string lotteryId, string drawId);
}

/// <summary>A draw asking for one of the member's daily draws of a lottery; the day is the programme's local date.</summary>
[GenerateSerializer, Immutable]
public sealed record DrawAdmission([property: Id(0)] string LotteryId, [property: Id(1)] string DrawId, [property: Id(2)] DateOnly Day, [property: Id(3)] int Limit);

public static class LotteryKeys
{
    public const string Directory = "all";

    /// <summary>The outcome filter of the audit trail for draws that won nothing (the index tag of a win is its tier id).</summary>
    public const string NoPrize = "none";
}

[GenerateSerializer, Immutable]
public sealed record PaidDraw([property: Id(0)] string DrawId, [property: Id(1)] string MemberId, [property: Id(2)] long PaidCost);

[GenerateSerializer, Immutable]
public sealed record LotteryEntry([property: Id(0)] string Id, [property: Id(1)] string Name, [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>A finished draw as the member's history shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record DrawSummary(
    [property: Id(0)] string DrawId,
    [property: Id(1)] string LotteryId,
    [property: Id(2)] string LotteryName,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Won,
    [property: Id(5)] string? TierId,
    [property: Id(6)] int? TierRank,
    [property: Id(7)] string? TierName,
    [property: Id(8)] string? PrizeProductId,
    [property: Id(9)] string? PrizeName,
    [property: Id(10)] string? PrizeOrderId,
    [property: Id(11)] long PointsSpent,
    [property: Id(12)] long ParticipationPoints)
{
    /// <summary>The draw's number in its lottery, with <see cref="RandomValue"/> and <see cref="TableVersion"/>: what verifying it takes.</summary>
    [Id(13)] public long DrawNumber { get; init; }

    [Id(14)] public double? RandomValue { get; init; }

    [Id(15)] public int? TableVersion { get; init; }

    /// <summary>Points credited for the tier won, besides any prize order.</summary>
    [Id(16)] public long BonusPoints { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record DrawHistoryPage([property: Id(0)] IReadOnlyList<DrawSummary> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary>
/// One draw (key: draw id, derived like order ids from member and idempotency key): spends the cost at the
/// member, draws, creates the prize order on a win and credits participation points. A saga like an order.
/// </summary>
[Alias("draw")]
public interface IDrawGrain : IGrainWithStringKey
{
    Task<DrawResult> DrawAsync(string lotteryId, string memberId);

    Task<DrawResult?> GetAsync();
}

/// <summary>A lottery's set-up; <see cref="DailyDrawLimit"/> caps each member's draws per local day (null: no cap).</summary>
[GenerateSerializer, Immutable]
public sealed record ConfigureLottery(
    [property: Id(0)] string Name,
    [property: Id(1)] PrizeTable Table,
    [property: Id(2)] DateTimeOffset? StartsAt,
    [property: Id(3)] DateTimeOffset? EndsAt,
    [property: Id(4)] int? DailyDrawLimit = null);

/// <summary>
/// The lottery; <see cref="Remaining"/> is what is left of each tier's stock (by tier id). <see cref="SeedHash"/> is the
/// commitment published from the start; <see cref="Seed"/> is set once the lottery has closed. <see cref="Tables"/> holds
/// every table version drawn against, oldest first, so any draw can be checked against its own.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LotteryView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] PrizeTable Table,
    [property: Id(3)] DateTimeOffset? StartsAt,
    [property: Id(4)] DateTimeOffset? EndsAt,
    [property: Id(5)] long Draws,
    [property: Id(6)] long Wins,
    [property: Id(7)] IReadOnlyDictionary<string, int>? Remaining = null)
{
    [Id(8)] public int? DailyDrawLimit { get; init; }

    [Id(9)] public string? SeedHash { get; init; }

    [Id(10)] public string? Seed { get; init; }

    [Id(11)] public IReadOnlyList<PrizeTable> Tables { get; init; } = [];
}

[GenerateSerializer, Immutable]
public sealed record LotteryTerms(
    [property: Id(0)] string Name,
    [property: Id(1)] PrizeTable Table,
    [property: Id(2)] DateTimeOffset? StartsAt,
    [property: Id(3)] DateTimeOffset? EndsAt,
    [property: Id(4)] int? DailyDrawLimit);

[GenerateSerializer, Immutable]
public sealed record LotteryResult([property: Id(0)] LotteryView? Lottery, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// A draw's outcome: the record (random value, table version, tier won) and, for a win, the prize order id.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DrawResult([property: Id(0)] string DrawId, [property: Id(1)] DrawRecord? Record, [property: Id(2)] string? PrizeOrderId, [property: Id(3)] long PointsSpent, [property: Id(4)] long ParticipationPoints, [property: Id(5)] bool Replayed, [property: Id(6)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;

    public bool Won => Record?.WonTierId is not null;

    /// <summary>Set by the draw saga: the lottery's name when the draw began.</summary>
    [Id(7)] public string? LotteryName { get; init; }

    /// <summary>Set by the draw saga on a win: the tier as configured in the table version drawn against.</summary>
    [Id(8)] public int? TierRank { get; init; }

    [Id(9)] public string? TierName { get; init; }

    /// <summary>Set by the draw saga on a win: the prize product's name (from the prize order).</summary>
    [Id(10)] public string? PrizeName { get; init; }

    /// <summary>Set by the draw saga on a win: the tier's bonus points credited to the member.</summary>
    [Id(11)] public long BonusPoints { get; init; }
}

/// <summary>
/// Draw ids (the idempotency rule): derived from the member and the client's idempotency key, so a retry reaches the
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
