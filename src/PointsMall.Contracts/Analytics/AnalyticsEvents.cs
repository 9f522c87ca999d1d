namespace PointsMall.Contracts.Analytics;

/// <summary>
/// The outbox stream namespace the analytics read: orders publish <see cref="OrderActivity"/> (stream key: the order
/// id) and members <see cref="PointsActivity"/> (key: the member id) there, so one subscription reads the outbox once.
/// </summary>
public static class AnalyticsStreams
{
    public const string Namespace = "analytics";
}

/// <summary>An outbox event for the analytics' grains: its outbox position (what makes a redelivery count once) and what happened.</summary>
[GenerateSerializer, Immutable]
public sealed record RecordedActivity(
    [property: Id(0)] long Sequence,
    [property: Id(1)] OrderActivity? Order,
    [property: Id(2)] PointsActivity? Points,
    [property: Id(3)] MemberJoined? Joined = null);

/// <summary>A member registered or was provisioned: the start of the member's cohort (published with the registration).</summary>
[GenerateSerializer, Immutable]
public sealed record MemberJoined([property: Id(0)] string MemberId, [property: Id(1)] DateTimeOffset At);

/// <summary>
/// An order's status changed (it was placed, paid, shipped, completed or cancelled): published by the order in the
/// commit that records the change, so the analytics see each change once it is durable and never one that is not.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OrderActivity(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string MemberId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ProductName,
    [property: Id(4)] string Category,
    [property: Id(5)] int Quantity,
    [property: Id(6)] long Points,
    [property: Id(7)] long CashFen,
    [property: Id(8)] string Status,
    [property: Id(9)] string? PreviousStatus,
    [property: Id(10)] bool IsPrize,
    [property: Id(11)] string? CancelReason,
    [property: Id(12)] DateTimeOffset At);

/// <summary>
/// A new entry in a member's points ledger (earned, spent, refunded, expired, adjusted), published with it.
/// <see cref="MemberSince"/> (when the member joined) places the member in a cohort; <see cref="Lots"/> says which
/// expiry dates the entry added points to or took them from, so the outstanding points can be kept by expiry.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PointsActivity(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Source,
    [property: Id(3)] long Amount,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DateTimeOffset? MemberSince = null,
    [property: Id(6)] IReadOnlyList<LotChange>? Lots = null);

/// <summary>Points added to (positive) or taken from (negative) the lots that expire at <see cref="ExpiresAt"/> (null: never).</summary>
[GenerateSerializer, Immutable]
public sealed record LotChange([property: Id(0)] DateTimeOffset? ExpiresAt, [property: Id(1)] long Amount);

/// <summary>
/// What shoppers did at the API that no grain records: a sign-in, a product page opened, a search and how many it
/// found. A sign-in carries when the member joined (<see cref="MemberSince"/>), so it counts toward retention.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShopperActivity(
    [property: Id(0)] ShopperActivityKind Kind,
    [property: Id(1)] string? MemberId,
    [property: Id(2)] string? Subject,
    [property: Id(3)] int Results,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DateTimeOffset? MemberSince = null);

public enum ShopperActivityKind
{
    Login,
    ProductView,
    Search,
}

/// <summary>
/// Redemption attempts on one product: one API node's since its last report, or (in <see cref="DayFigures"/>) a day's
/// over all nodes. <see cref="GrantedOutOfOrder"/> counts units granted to requests that reached a node after an
/// earlier request was refused <c>sold_out</c> (arrival as each node saw it: nodes' clocks are not compared); 0 means
/// the units were granted in arrival order.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DropTally(
    [property: Id(0)] string ProductId,
    [property: Id(1)] long Attempts,
    [property: Id(2)] long Granted,
    [property: Id(3)] IReadOnlyDictionary<string, long> Refusals,
    [property: Id(4)] DateTimeOffset FirstAttemptAt,
    [property: Id(5)] DateTimeOffset? LastGrantAt,
    [property: Id(6)] DateTimeOffset? SoldOutAt,
    [property: Id(7)] long GrantedOutOfOrder);
