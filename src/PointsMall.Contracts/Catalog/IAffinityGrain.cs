namespace PointsMall.Contracts.Catalog;

/// <summary>
/// Which products shoppers look at and redeem together (key: <c>all</c>), fed by the shoppers' own histories
/// (<see cref="IShopperTasteGrain"/>); see the domain's <c>AffinityBoard</c>.
/// </summary>
[Alias("affinity")]
public interface IAffinityGrain : IGrainWithStringKey
{
    public const string Key = "all";

    Task RecordAsync(AffinitySample sample);

    /// <summary>Products to suggest after <see cref="RecommendFor.Recent"/>, best first.</summary>
    Task<IReadOnlyList<string>> RecommendAsync(RecommendFor query);
}

/// <summary>
/// A shopper's recent products and redemptions (key: member id), from the API nodes' activity hand-overs; "for you"
/// starts from them.
/// </summary>
[Alias("shopper-taste")]
public interface IShopperTasteGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes what the shopper looked at and redeemed, and answers the pairs each product new to its recent ones made
    /// with them: the caller hands a whole batch's pairs to the affinity board at once.
    /// </summary>
    Task<IReadOnlyList<ProductPair>> SawAsync(ShopperSaw saw);

    /// <summary>
    /// Up to <paramref name="count"/> products for this shopper, best first, none of those it redeemed or looked at lately;
    /// with what it redeemed, which a caller filling up the list leaves out too.
    /// </summary>
    Task<ForYou> ForYouAsync(int count);
}

[GenerateSerializer, Immutable]
public sealed record ProductPair([property: Id(0)] string A, [property: Id(1)] string B);

[GenerateSerializer, Immutable]
public sealed record AffinitySample([property: Id(0)] IReadOnlyList<ProductPair> Pairs);

[GenerateSerializer, Immutable]
public sealed record RecommendFor([property: Id(0)] IReadOnlyList<string> Recent, [property: Id(1)] IReadOnlyList<string> Exclude, [property: Id(2)] int Count);

/// <summary>Products a shopper looked at and redeemed, oldest first.</summary>
[GenerateSerializer, Immutable]
public sealed record ShopperSaw([property: Id(0)] IReadOnlyList<string> Viewed, [property: Id(1)] IReadOnlyList<string> Redeemed);

[GenerateSerializer, Immutable]
public sealed record ForYou([property: Id(0)] IReadOnlyList<string> Products, [property: Id(1)] IReadOnlyList<string> Redeemed);
