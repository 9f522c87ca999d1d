using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Orders;

/// <summary>Payment mode: <c>points</c> or <c>points_cash</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record PlaceOrder([property: Id(0)] string MemberId, [property: Id(1)] string ProductId, [property: Id(2)] int Quantity, [property: Id(3)] string Payment, [property: Id(4)] string? AddressId)
{
    /// <summary>A coupon from the member's wallet to take off the order's points.</summary>
    [Id(5)] public string? CouponId { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record PlacePrizeOrder([property: Id(0)] string MemberId, [property: Id(1)] string ProductId, [property: Id(2)] string LotteryId, [property: Id(3)] string DrawId);

/// <summary>By the member (<paramref name="MemberId"/> must own the order) or by an operator (<c>null</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record CancelOrder([property: Id(0)] string? MemberId, [property: Id(1)] string Reason);

[GenerateSerializer, Immutable]
public sealed record ConfirmPayment([property: Id(0)] string PaymentReference, [property: Id(1)] long AmountFen);

[GenerateSerializer, Immutable]
public sealed record ShipOrder([property: Id(0)] string Carrier, [property: Id(1)] string TrackingNumber);

/// <summary>The member (<paramref name="MemberId"/> must own the order) sends an unshipped physical order to another of its addresses.</summary>
[GenerateSerializer, Immutable]
public sealed record ChangeOrderAddress([property: Id(0)] string MemberId, [property: Id(1)] ShippingAddressView Address);

[GenerateSerializer, Immutable]
public sealed record OrderView(
    [property: Id(0)] string Id,
    [property: Id(1)] string MemberId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ProductName,
    [property: Id(4)] int Quantity,
    [property: Id(5)] long Points,
    [property: Id(6)] long CashFen,
    [property: Id(7)] string Status,
    [property: Id(8)] string Step,
    [property: Id(9)] DateTimeOffset PlacedAt,
    [property: Id(10)] DateTimeOffset? PaymentDeadline,
    [property: Id(11)] string? Carrier,
    [property: Id(12)] string? TrackingNumber,
    [property: Id(13)] string? Code,
    [property: Id(14)] string? CancelReason,
    [property: Id(15)] IReadOnlyList<OrderStepView> History)
{
    /// <summary>The provider's reference of the cash payment (points + cash), once the order waits for it.</summary>
    [Id(16)] public string? PaymentReference { get; init; }

    /// <summary>Where the member pays the cash part; only while the order waits for payment.</summary>
    [Id(17)] public string? PayUrl { get; init; }

    /// <summary>The member's address as it was when the order was placed (physical goods).</summary>
    [Id(18)] public ShippingAddressView? ShippingAddress { get; init; }

    /// <summary>A lottery prize order (zero cost).</summary>
    [Id(19)] public bool IsPrize { get; init; }

    /// <summary>When the order last changed.</summary>
    [Id(20)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Physical goods: the order ships to <see cref="ShippingAddress"/> (which a prize may still lack).</summary>
    [Id(21)] public bool Ships { get; init; }

    /// <summary>The wallet coupon the order uses, if any.</summary>
    [Id(22)] public string? CouponId { get; init; }

    /// <summary>The points the coupon took off (<see cref="Points"/> is after it).</summary>
    [Id(23)] public long CouponDiscount { get; init; }
}

/// <summary>A snapshot of a shipping address, so later edits of the address book never change where an order goes.</summary>
[GenerateSerializer, Immutable]
public sealed record ShippingAddressView([property: Id(0)] string Id, [property: Id(1)] string Recipient, [property: Id(2)] string Phone, [property: Id(3)] string Region, [property: Id(4)] string Detail)
{
    /// <summary>The order's copy of an address from the member's address book.</summary>
    public static ShippingAddressView Of(Members.AddressView address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(address.Id, address.Recipient, address.Phone, address.Region, address.Detail);
    }
}

/// <summary>What the order index holds per order, written each time the status changes.</summary>
[GenerateSerializer, Immutable]
public sealed record OrderSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string MemberId,
    [property: Id(2)] string ProductId,
    [property: Id(3)] string ProductName,
    [property: Id(4)] int Quantity,
    [property: Id(5)] long Points,
    [property: Id(6)] long CashFen,
    [property: Id(7)] string Status,
    [property: Id(8)] DateTimeOffset PlacedAt,
    [property: Id(9)] DateTimeOffset UpdatedAt)
{
    /// <summary>Where a physical order ships, so the operators' list and packing list need no read per order.</summary>
    [Id(10)] public ShippingAddressView? ShippingAddress { get; init; }

    [Id(11)] public string? Carrier { get; init; }

    [Id(12)] public string? TrackingNumber { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record OrderBoardPage([property: Id(0)] IReadOnlyList<OrderSummary> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

[GenerateSerializer, Immutable]
public sealed record OrderStepView([property: Id(0)] string Step, [property: Id(1)] DateTimeOffset At, [property: Id(2)] string? Detail);

[GenerateSerializer, Immutable]
public sealed record OrderResult([property: Id(0)] OrderView? Order, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}
