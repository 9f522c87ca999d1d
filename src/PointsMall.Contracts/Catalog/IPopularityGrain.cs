namespace PointsMall.Contracts.Catalog;

/// <summary>
/// What shoppers look at and redeem now (key: <c>all</c>): the API nodes hand over their counts every couple of seconds,
/// and the home page reads the top. Decays with time (see <c>PopularityBoard</c>).
/// </summary>
[Alias("popularity")]
public interface IPopularityGrain : IGrainWithStringKey
{
    public const string Key = "all";

    Task RecordAsync(PopularitySample sample);

    /// <summary>The most popular products now, best first.</summary>
    Task<IReadOnlyList<PopularProduct>> TopAsync(int count);
}

/// <summary>Views and granted redemptions per product id seen by one API node since its last hand-over.</summary>
[GenerateSerializer, Immutable]
public sealed record PopularitySample(
    [property: Id(0)] IReadOnlyDictionary<string, int> Views,
    [property: Id(1)] IReadOnlyDictionary<string, int> Redemptions,
    [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Immutable]
public sealed record PopularProduct([property: Id(0)] string ProductId, [property: Id(1)] double Score);
