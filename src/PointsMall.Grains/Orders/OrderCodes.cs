using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>
/// A code-pool product's order takes its code from the pool: the pool names the slot (the same one again for a retry
/// it still remembers), the chunk holds the code. The order's state before this step is durable (the step is not
/// local), so a crash here only asks the pool again.
/// </summary>
internal sealed class OrderCodes(IGrainFactory grains, string productId)
{
    /// <summary>The order with its code, or cancelled when the pool has none left; null to retry later.</summary>
    public async Task<OrderTransition?> IssueAsync(Order order, ILogger logger, DateTimeOffset now)
    {
        var assigned = await grains.GetGrain<ICodePoolGrain>(productId).AssignAsync(order.Id);
        if (assigned.Refusal is { } refusal)
        {
            if (refusal.Code == RefusalCodes.Name(RefusalCode.SoldOut))
            {
                // More units were sold than codes stand behind them (a code lost to a retry the pool had forgotten):
                // the order is refunded and its unit written off, never given someone else's code.
                return order.Cancel(OrderSagaSteps.CodesExhausted, now);
            }

            OrderLog.CodeRefused(logger, order.Id, refusal.Code, refusal.Detail);
            return null;
        }

        var slot = assigned.Slot!;
        var code = await grains.GetGrain<ICodeChunkGrain>(slot.ChunkKey).CodeAtAsync(slot.Offset);
        if (code is null)
        {
            OrderLog.CodeRefused(logger, order.Id, "code_missing", slot.ChunkKey);
            return null;
        }

        return order.CodeIssued(code, now);
    }
}
