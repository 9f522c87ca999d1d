using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>What callers and the order index see of an order's state.</summary>
internal static class OrderViews
{
    public static OrderView? View(OrderState state)
    {
        if (state.Order is not { } o)
        {
            return null;
        }

        return new OrderView(
            o.Id,
            o.MemberId,
            o.ProductId,
            state.ProductName,
            o.Quantity,
            o.PointsTotal,
            o.CashTotalFen,
            o.Status.ToString(),
            o.Step.ToString(),
            o.CreatedAt,
            o.PaymentDeadline,
            o.Shipment?.Carrier,
            o.Shipment?.TrackingNumber,
            o.FulfilmentCode,
            o.CancelReason?.Detail,
            [.. o.History.Select(h => new OrderStepView(h.Step.ToString(), h.At, h.Detail))])
        {
            PaymentReference = o.PaymentReference ?? state.Payment?.Reference,
            PayUrl = o.Step == SagaStep.AwaitingPayment ? state.Payment?.PayUrl : null,
            ShippingAddress = state.ShippingAddress,
            IsPrize = state.IsPrize,
            Ships = o.IsPhysical,
            UpdatedAt = o.History[^1].At,
            CouponId = o.CouponId,
            CouponDiscount = o.CouponDiscount,
        };
    }

    /// <summary>The order with the refusal that cancelled it while it was placed, if any: what a place (or its retry) answers.</summary>
    public static OrderResult Placed(OrderState state) =>
        new(View(state), state.PlaceRefusal is { } refusal ? Problem.From(refusal) : null);

    /// <summary>A refusal without an order: there is none, or the caller may not see it.</summary>
    public static OrderResult Refused(Refusal refusal) => new(null, Problem.From(refusal));

    /// <summary>The order's entry in the order index under the given status.</summary>
    public static OrderSummary Summary(Order order, OrderState state, string status) =>
        new(order.Id, order.MemberId, order.ProductId, state.ProductName, order.Quantity,
            order.PointsTotal, order.CashTotalFen, status, order.CreatedAt, order.History[^1].At)
        {
            ShippingAddress = state.ShippingAddress,
            Carrier = order.Shipment?.Carrier,
            TrackingNumber = order.Shipment?.TrackingNumber,
        };

    /// <summary>The status change the analytics count (published before <see cref="OrderState.PublishedStatus"/> moves on).</summary>
    public static OrderActivity Activity(Order order, OrderState state, string status) =>
        new(order.Id, order.MemberId, order.ProductId, state.ProductName, order.Category.ToString(), order.Quantity, order.PointsTotal,
            order.CashTotalFen, status, state.PublishedStatus, state.IsPrize, ReasonKey(order.CancelReason), order.History[^1].At);

    /// <summary>
    /// Why an order was cancelled, as a small set of keys: the refusal's code (sold_out, insufficient_points, …), the
    /// saga's own reasons, or "cancelled" for a reason someone typed (free text would make the counts unbounded).
    /// </summary>
    private static string? ReasonKey(Refusal? reason) => reason switch
    {
        null => null,
        { Code: not RefusalCode.Conflict } => reason.CodeName,
        { Detail: "payment_timeout" or "cancelled_by_member" or "cancelled_by_operator" } => reason.Detail,
        _ => "cancelled",
    };
}
