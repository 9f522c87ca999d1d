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
}

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

public sealed record LotteryView(string Id, string Name, PrizeTable Table, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, long Draws, long Wins);

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
}
