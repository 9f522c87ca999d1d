using System.Collections.Concurrent;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Common;

namespace PointsMall.Api.Orders;

/// <summary>
/// Which products this API node last saw sold out. Once a redemption has been refused <c>sold_out</c>, the next ones
/// for that product ask the product first (<see cref="IProductGrain.AdmitAsync"/>), which answers without an order
/// grain, a write or a lock; the first admission that lets a request through clears the hint. A wrong hint costs
/// one extra grain call, never a wrong answer: the product decides. While stock is selling, no call is added.
/// </summary>
public sealed class SoldOutHints
{
    // Bounded by the products that exist: a hint is set only after an existing product refused with sold_out.
    private readonly ConcurrentDictionary<string, bool> _soldOut = new(StringComparer.Ordinal);

    /// <summary>The product's refusal when it refuses the order before it exists; null to place the order.</summary>
    public async Task<Problem?> AdmitAsync(IGrainFactory grains, string productId, string orderId, int quantity)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (!_soldOut.ContainsKey(productId))
        {
            return null;
        }

        var admission = await grains.GetGrain<IProductGrain>(productId).AdmitAsync(new AdmitOrder(orderId, quantity));
        if (admission.Refusal is null)
        {
            _soldOut.TryRemove(productId, out _);
        }

        return admission.Refusal;
    }

    /// <summary>Told after each placement: a <c>sold_out</c> refusal sets the hint.</summary>
    public void Saw(string productId, Problem? refusal)
    {
        if (refusal?.Code == RefusalCodes.Name(RefusalCode.SoldOut))
        {
            _soldOut.TryAdd(productId, true);
        }
    }
}
