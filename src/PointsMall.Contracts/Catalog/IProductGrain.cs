using PointsMall.Domain.Catalog;
using PointsMall.Domain.Stock;
using PointsMall.Domain.Rules;

namespace PointsMall.Contracts.Catalog;

/// <summary>
/// One product and its stock unit (key: product id). All redemptions of the product pass through here one at a
/// time, so reservations never oversell without locks (per-member limits across orders are the member grain's).
/// Reserve, commit and release
/// are idempotent by order id. A low-stock crossing publishes one <see cref="LowStockRaised"/> on stream
/// (<c>stock</c>, product id); detail changes publish <see cref="ProductChanged"/> on (<c>product</c>, product id).
/// </summary>
[Alias("product")]
public interface IProductGrain : IGrainWithStringKey
{
    /// <summary>Creates the product with its initial stock. Refused with <c>conflict</c> when it exists.</summary>
    Task<ProductResult> CreateAsync(CreateProduct command);

    /// <summary>The product, or null when it does not exist.</summary>
    Task<ProductView?> GetAsync();

    /// <summary>Replaces the details and, when given, the low-stock threshold (not the stock), in one change.</summary>
    Task<ProductResult> UpdateAsync(UpdateProduct command);

    /// <summary>On or off the shelf; off blocks new reservations (existing ones complete).</summary>
    Task<ProductResult> SetOnShelfAsync(bool onShelf);

    /// <summary>Adds stock; <c>conflict</c> (<c>stock_from_codes</c>) for a code-pool product, whose stock only uploads add.</summary>
    Task<ProductResult> RestockAsync(Restock command);

    /// <summary>
    /// Adds the stock that codes uploaded to the product's pool stand behind (once per operation id); <c>conflict</c>
    /// (<c>not_a_code_pool</c>) for a product that does not take codes from a pool.
    /// </summary>
    Task<ProductResult> AddCodeStockAsync(Restock command);

    /// <summary>Sets the total stock; refused with <c>conflict</c> below what orders hold or have taken.</summary>
    Task<ProductResult> SetStockAsync(SetStock command);

    /// <summary>
    /// Checks the product is redeemable by this member now (on sale, flash drop started, tier, one order within the
    /// per-member limit) and reserves stock for the order. Refusals: <c>sold_out</c>, <c>not_on_sale</c>, <c>tier_required</c>,
    /// <c>limit_exceeded</c>, <c>not_found</c>.
    /// </summary>
    Task<ReservationResult> ReserveAsync(ReserveStock command);

    /// <summary>
    /// A redemption's admission before its order exists: <c>sold_out</c> when the stock cannot serve it and the order
    /// has never reached this product (so no outcome of it is lost); otherwise no refusal, and the order goes on.
    /// Changes nothing and writes nothing: what a drop answers once it has sold out. <c>not_found</c> for no product.
    /// </summary>
    Task<AdmissionResult> AdmitAsync(AdmitOrder command);

    /// <summary>Turns the order's reservation into a sale.</summary>
    Task<StockResult> CommitAsync(string orderId);

    /// <summary>Returns the order's reserved or sold units to stock (compensation).</summary>
    Task<StockResult> ReleaseAsync(ReleaseStock command);

    /// <summary>
    /// The order has durably recorded its commit or release here and will not retry it: the product drops the
    /// order's line, so its state does not grow with every order it ever sold.
    /// </summary>
    Task<StockResult> ForgetAsync(string orderId);
}

/// <summary>
/// The catalogue index (key: <c>all</c>): product summaries for browsing and search, kept up to date from the
/// product grains' events, so browsing never touches a hot product grain.
/// </summary>
[Alias("catalog")]
public interface ICatalogGrain : IGrainWithStringKey
{
    Task<CatalogPage> SearchAsync(CatalogQuery query);

    Task UpsertAsync(ProductSummary summary);
}

/// <summary>Low-stock alerts raised and not yet cleared by a restock (key: <c>all</c>).</summary>
[Alias("low-stock-alerts")]
public interface ILowStockAlertsGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<LowStockRaised>> ListAsync();

    Task RaiseAsync(LowStockRaised alert);

    Task ClearAsync(string productId);
}

public static class CatalogKeys
{
    public const string All = "all";

    /// <summary>The stream namespace product grains publish stock events on.</summary>
    public const string StockStream = "stock";

    /// <summary>The stream namespace product grains publish detail changes on.</summary>
    public const string ProductStream = "product";
}

[GenerateSerializer, Immutable]
public sealed record CreateProduct([property: Id(0)] Product Product, [property: Id(1)] long InitialStock, [property: Id(2)] long LowStockThreshold);

[GenerateSerializer, Immutable]
public sealed record Restock([property: Id(0)] string OperationId, [property: Id(1)] long Quantity);

/// <summary>Sets the stock's total (a count or a write-off), with the operator's reason; once per operation id.</summary>
[GenerateSerializer, Immutable]
public sealed record SetStock([property: Id(0)] string OperationId, [property: Id(1)] long Total, [property: Id(2)] string Reason);

/// <summary>New details, and a new low-stock threshold when one is given (null keeps it).</summary>
[GenerateSerializer, Immutable]
public sealed record UpdateProduct([property: Id(0)] Product Details, [property: Id(1)] long? LowStockThreshold);

/// <summary>
/// A reservation; <paramref name="Final"/> makes it a sale at once (a points-only order: nothing to wait for).
/// <paramref name="PlacedAt"/> is when the order was created: a late first reserve of an order placed before the
/// stock last came back is refused as its admission may have been (see <see cref="IProductGrain.AdmitAsync"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReserveStock(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string MemberId,
    [property: Id(2)] Tier MemberTier,
    [property: Id(3)] int Quantity,
    [property: Id(4)] bool Final = false,
    [property: Id(5)] DateTimeOffset? PlacedAt = null);

/// <summary>The order a redemption would create (its id is derived from the member and the idempotency key) and how many.</summary>
[GenerateSerializer, Immutable]
public sealed record AdmitOrder([property: Id(0)] string OrderId, [property: Id(1)] int Quantity);

/// <summary>
/// A release. <see cref="Settled"/> is set by an order that has durably recorded its commit (after which the product
/// may have forgotten the order's line); it tells the product what to give back.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReleaseStock([property: Id(0)] string OrderId, [property: Id(1)] SettledSale? Settled = null)
{
    /// <summary>The units leave the stock rather than return to it (no code stands behind them any more).</summary>
    [Id(2)] public bool WriteOff { get; init; }
}
