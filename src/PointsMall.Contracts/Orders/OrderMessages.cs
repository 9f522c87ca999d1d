using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Orders;

/// <summary>Payment mode: <c>points</c> or <c>points_cash</c>.</summary>
public sealed record PlaceOrder(string MemberId, string ProductId, int Quantity, string Payment, string? AddressId);

public sealed record PlacePrizeOrder(string MemberId, string ProductId, string LotteryId, string DrawId);

/// <summary>By the member (<paramref name="MemberId"/> must own the order) or by an operator (<c>null</c>).</summary>
public sealed record CancelOrder(string? MemberId, string Reason);

public sealed record ConfirmPayment(string PaymentReference, long AmountFen);

public sealed record ShipOrder(string Carrier, string TrackingNumber);

public sealed record OrderView(
    string Id,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    long CashFen,
    string Status,
    string Step,
    DateTimeOffset PlacedAt,
    DateTimeOffset? PaymentDeadline,
    string? Carrier,
    string? TrackingNumber,
    string? Code,
    string? CancelReason,
    IReadOnlyList<OrderStepView> History);

public sealed record OrderStepView(string Step, DateTimeOffset At, string? Detail);

public sealed record OrderResult(OrderView? Order, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}
