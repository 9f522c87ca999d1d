namespace PointsMall.Contracts.Analytics;

/// <summary>
/// One day's figures (key: the local date, <c>yyyy-MM-dd</c>, in the analytics' time zone), fed by the outbox (orders,
/// points) and by the API nodes (sign-ins, product views, searches); never by queries on the hot path.
/// </summary>
[Alias("analytics-day")]
public interface IAnalyticsDayGrain : IGrainWithStringKey
{
    /// <summary>Counts a page of the outbox's order changes and points entries; an outbox position already counted is skipped.</summary>
    Task RecordAsync(IReadOnlyList<RecordedActivity> activity);

    /// <summary>Counts what an API node saw since its last report (best effort: a node that dies loses its last seconds).</summary>
    Task RecordShopperActivityAsync(IReadOnlyList<ShopperActivity> activity);

    /// <summary>Adds an API node's redemption attempts per product since its last report (best effort, like the above).</summary>
    Task RecordDropsAsync(IReadOnlyList<DropTally> drops);

    Task<DayFigures> GetAsync();
}

/// <summary>
/// A day's figures. Counts of members are estimates within about 2 % (HyperLogLog); every other figure is exact.
/// <see cref="NewMembers"/> joined this day; <see cref="Returned"/> counts the members active this day by how many days
/// before they joined (<see cref="Retention.Days"/>: 1, 7 and 30), so the cohort of day X keeps D7 on day X + 7.
/// <see cref="Drops"/> sums the API nodes' <see cref="DropTally"/> reports per product (first attempt and first
/// sell-out: the earliest any node saw).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DayFigures(
    [property: Id(0)] string Day,
    [property: Id(1)] long Logins,
    [property: Id(2)] long ActiveMembers,
    [property: Id(3)] long ProductViews,
    [property: Id(4)] long Searches,
    [property: Id(5)] long SearchesWithoutResults,
    [property: Id(6)] long Redemptions,
    [property: Id(7)] long Units,
    [property: Id(8)] long PointsRedeemed,
    [property: Id(9)] long CashFen,
    [property: Id(10)] long Cancellations,
    [property: Id(11)] long PointsEarned,
    [property: Id(12)] long PointsSpent,
    [property: Id(13)] long PointsRefunded,
    [property: Id(14)] long PointsExpired,
    [property: Id(15)] IReadOnlyDictionary<string, long> EarnedBySource,
    [property: Id(16)] IReadOnlyDictionary<string, long> CancellationsByReason,
    [property: Id(17)] IReadOnlyList<ProductFigures> Products,
    [property: Id(18)] IReadOnlyList<KeywordCount> TopSearches,
    [property: Id(19)] IReadOnlyList<KeywordCount> TopSearchesWithoutResults,
    [property: Id(20)] IReadOnlyDictionary<string, long> RedemptionsByCategory,
    [property: Id(21)] IReadOnlyDictionary<string, long> SpentBySource,
    [property: Id(22)] long NewMembers,
    [property: Id(23)] IReadOnlyDictionary<int, long> Returned,
    [property: Id(24)] IReadOnlyList<DropTally> Drops);

/// <summary>A product's day: views, redemptions (orders that were paid, prizes excluded), units and points.</summary>
[GenerateSerializer, Immutable]
public sealed record ProductFigures(
    [property: Id(0)] string ProductId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Category,
    [property: Id(3)] long Views,
    [property: Id(4)] long Redemptions,
    [property: Id(5)] long Units,
    [property: Id(6)] long Points);

[GenerateSerializer, Immutable]
public sealed record KeywordCount([property: Id(0)] string Keyword, [property: Id(1)] long Count);
