using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Members;

/// <summary>What one order bought: recorded with its spend, returned with its refund.</summary>
public sealed record Purchase(string ProductId, int Quantity);

/// <summary>
/// A member's purchases, by the operation (order) that made each, for per-member limits (每人限兑).
/// </summary>
/// <remarks>
/// Design note: the limit is checked here, in the member's own state, not in the product's. The member grain
/// serialises its member's redemptions, so "held so far + this order ≤ limit" is race-free, and the hot product's
/// state (written whole on every group commit of a drop) holds no per-buyer counts. The cost: an order over the
/// limit has reserved its units before the member refuses it, and its saga releases them again.
/// </remarks>
public sealed record Purchases(ImmutableDictionary<string, Purchase> ByOperation)
{
    public static Purchases None { get; } = new(ImmutableDictionary<string, Purchase>.Empty);

    /// <summary>Units of <paramref name="productId"/> held by orders not returned.</summary>
    public int HeldOf(string productId) => ByOperation.Values.Where(p => p.ProductId == productId).Sum(p => p.Quantity);

    /// <summary>
    /// Records <paramref name="purchase"/> for <paramref name="operationId"/> unless it would exceed <paramref name="limit"/>.
    /// The same operation again is a replay (another purchase under it is a conflict).
    /// </summary>
    public PurchaseOutcome Record(string operationId, Purchase purchase, int? limit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        ArgumentNullException.ThrowIfNull(purchase);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(purchase.Quantity);
        if (ByOperation.TryGetValue(operationId, out var recorded))
        {
            return recorded == purchase
                ? new PurchaseOutcome(this, null, true)
                : new PurchaseOutcome(this, new Refusal(RefusalCode.Conflict, "operation_id_reused"), false);
        }

        return limit is { } max && HeldOf(purchase.ProductId) + purchase.Quantity > max
            ? new PurchaseOutcome(this, new Refusal(RefusalCode.LimitExceeded, "per_member_limit"), false)
            : new PurchaseOutcome(this with { ByOperation = ByOperation.Add(operationId, purchase) }, null, false);
    }

    /// <summary>The allowance back: the operation's purchase no longer counts (nothing to return is fine).</summary>
    public Purchases Return(string operationId) => ByOperation.ContainsKey(operationId) ? this with { ByOperation = ByOperation.Remove(operationId) } : this;
}

public sealed record PurchaseOutcome(Purchases Purchases, Refusal? Refusal, bool Replayed)
{
    public bool Succeeded => Refusal is null;
}
