using PointsMall.Contracts.Messages;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>
/// What a member is told when its order moves: shipped (with the carrier and tracking number), or cancelled after it was
/// paid or awaited payment. A redemption refused while it was placed (sold out, not enough points) is answered as a
/// refusal, so it is not told again: a flash drop's refusals cost no notice.
/// </summary>
internal static class OrderNotices
{
    public static MemberNotice? For(Order order, string? productName, string status)
    {
        var name = productName ?? order.ProductId;
        var link = $"/orders/{order.Id}";
        return status switch
        {
            nameof(OrderStatus.Shipped) when order.Shipment is { } shipment => new MemberNotice(
                $"shipped:{order.Id}", order.MemberId, NoticeKinds.OrderShipped, "订单已发货 Your order has shipped",
                $"{name} · {shipment.Carrier} {shipment.TrackingNumber}".TrimEnd(), link, shipment.ShippedAt),
            nameof(OrderStatus.Cancelled) when order.History.Exists(h => h.Step is SagaStep.Paid or SagaStep.AwaitingPayment) => new MemberNotice(
                $"cancelled:{order.Id}", order.MemberId, NoticeKinds.OrderCancelled, "订单已取消 Your order was cancelled",
                order.PointsTotal > 0 ? $"{name}: {order.PointsTotal} 积分退回 points returned" : name, link, order.History[^1].At),
            _ => null,
        };
    }
}
