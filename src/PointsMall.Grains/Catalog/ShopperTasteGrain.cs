using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record ShopperTasteState
{
    public ShopperTaste Taste { get; init; } = ShopperTaste.Empty;
}

/// <summary>One shopper's recent products and redemptions, and its "for you" from the affinity board.</summary>
[GrainType("shopper-taste")]
public sealed class ShopperTasteGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<ShopperTasteState> state) : MallGrain, IShopperTasteGrain
{
    public Task<IReadOnlyList<ProductPair>> SawAsync(ShopperSaw saw)
    {
        ArgumentNullException.ThrowIfNull(saw);
        var (taste, pairs) = state.State.Taste.Saw(saw.Viewed, saw.Redeemed);
        state.State = state.State with { Taste = taste };
        return Task.FromResult<IReadOnlyList<ProductPair>>([.. pairs.Select(p => new ProductPair(p.A, p.B))]);
    }

    public async Task<ForYou> ForYouAsync(int count)
    {
        var taste = state.State.Taste;
        var products = taste.Recent.IsEmpty ? []
            : await GrainFactory.GetGrain<IAffinityGrain>(IAffinityGrain.Key).RecommendAsync(new RecommendFor(taste.Recent, taste.Redeemed, count));
        return new ForYou(products, taste.Redeemed);
    }
}
