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
    IReadOnlyList<OrderStepView> History)
{
    /// <summary>The provider's reference of the cash payment (points + cash), once the order waits for it.</summary>
    public string? PaymentReference { get; init; }

    /// <summary>Where the member pays the cash part; only while the order waits for payment.</summary>
    public string? PayUrl { get; init; }

    /// <summary>The member's address as it was when the order was placed (physical goods).</summary>
    public ShippingAddressView? ShippingAddress { get; init; }

    /// <summary>A lottery prize order (zero cost).</summary>
    public bool IsPrize { get; init; }

    /// <summary>When the order last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A snapshot of a shipping address, so later edits of the address book never change where an order goes.</summary>
public sealed record ShippingAddressView(string Id, string Recipient, string Phone, string Region, string Detail);

/// <summary>What the order index holds per order, written each time the status changes.</summary>
public sealed record OrderSummary(
    string Id,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    long CashFen,
    string Status,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt);

public sealed record OrderBoardPage(IReadOnlyList<OrderSummary> Items, int Page, int PageSize, int Total);

public sealed record OrderStepView(string Step, DateTimeOffset At, string? Detail);

public sealed record OrderResult(OrderView? Order, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}
