namespace PointsMall.Contracts.Analytics;

/// <summary>
/// The points the mall owes its members, kept by the day they expire (one grain, key <see cref="Key"/>), fed by the
/// outbox with every ledger entry's lots, so finance reads it without summing a single account.
/// </summary>
[Alias("points-liability")]
public interface IPointsLiabilityGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>Counts a page of the outbox's points entries; an outbox position already counted is skipped.</summary>
    Task RecordAsync(IReadOnlyList<RecordedActivity> activity);

    Task<PointsLiability> GetAsync();
}

/// <summary>
/// Outstanding points at <see cref="AsOf"/> (what members can still spend), those of them that expire within 30, 60 and
/// 90 days (local days, today included) and those that never expire. <see cref="AwaitingExpiry"/> are points past their
/// expiry whose expiry the members' ledgers have not yet recorded (they no longer count as outstanding).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PointsLiability(
    [property: Id(0)] long Outstanding,
    [property: Id(1)] long ExpiringWithin30Days,
    [property: Id(2)] long ExpiringWithin60Days,
    [property: Id(3)] long ExpiringWithin90Days,
    [property: Id(4)] long NeverExpiring,
    [property: Id(5)] long AwaitingExpiry,
    [property: Id(6)] DateTimeOffset AsOf);
