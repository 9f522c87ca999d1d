using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Catalog;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Orders;

namespace PointsMall.Api.Orders;

/// <summary>Redeem a product: <c>quantity</c> 1 by default, <c>payment</c> points (default) or points_cash, <c>addressId</c> the default address when absent.</summary>
public sealed record RedemptionRequest(
    [property: Required, Token] string? ProductId,
    [property: Range(RedemptionLimits.MinQuantity, RedemptionLimits.MaxQuantity, ErrorMessage = "{1} to {2}.")] int? Quantity,
    [property: PaymentMode] string? Payment,
    [property: Token] string? AddressId,
    [property: Token] string? CouponId = null);

/// <summary>An order as its member (or an operator) sees it. <c>orderId</c> repeats <c>id</c> for redemption clients.</summary>
public sealed record OrderDto(
    string Id,
    string OrderId,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    decimal Cash,
    long CashFen,
    string Payment,
    string Status,
    string Step,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PaymentDeadline,
    string? PaymentReference,
    string? PayUrl,
    string? Carrier,
    string? TrackingNumber,
    string? Code,
    string? CancelReason,
    bool IsPrize,
    bool Ships,
    ShippingAddressView? ShippingAddress,
    IReadOnlyList<OrderStepView> History)
{
    /// <summary>The wallet coupon the order used, if any; <see cref="Points"/> is after its <see cref="CouponDiscount"/>.</summary>
    public string? CouponId { get; init; }

    public long CouponDiscount { get; init; }

    /// <summary>The order as its member sees it; <paramref name="payment"/> is the mode asked for, else the one the amounts show.</summary>
    public static OrderDto From(OrderView o, string? payment = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.Id, o.Id, o.MemberId, o.ProductId, o.ProductName, o.Quantity, o.Points, CatalogEndpoints.Yuan(o.CashFen), o.CashFen,
            payment ?? (o.CashFen > 0 ? PaymentModes.PointsCash : PaymentModes.Points), o.Status, o.Step, o.PlacedAt, o.UpdatedAt, o.PaymentDeadline,
            o.PaymentReference, o.PayUrl, o.Carrier, o.TrackingNumber, o.Code, o.CancelReason, o.IsPrize, o.Ships, o.ShippingAddress, o.History)
        {
            CouponId = o.CouponId,
            CouponDiscount = o.CouponDiscount,
        };
    }
}

/// <summary>An order in the operators' list, with where it ships and how (physical goods).</summary>
public sealed record OrderListItemDto(
    string Id,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    long CashFen,
    string Status,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt,
    ShippingAddressView? ShippingAddress,
    string? Carrier,
    string? TrackingNumber)
{
    public static OrderListItemDto From(OrderSummary o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.Id, o.MemberId, o.ProductId, o.ProductName, o.Quantity, o.Points, o.CashFen, o.Status, o.PlacedAt, o.UpdatedAt,
            o.ShippingAddress, o.Carrier, o.TrackingNumber);
    }
}

public sealed record CancelRequest([property: StringLength(200, ErrorMessage = "At most {1} characters.")] string? Reason);

public sealed record ShipRequest([property: Required, Text(50)] string? Carrier, [property: Required, Text(50)] string? TrackingNumber);

/// <summary>A page of orders, optionally of one status (PendingPayment, PendingShipment, Shipped, Completed, Cancelled).</summary>
public sealed record OrderQuery : PageQuery
{
    [FromQuery(Name = "status"), EnumName(typeof(OrderStatus))]
    public string? Status { get; init; }
}

public sealed record PaymentSessionDto(string OrderId, string PaymentReference, string PayUrl, long AmountFen, decimal Amount, DateTimeOffset? ExpiresAt);

/// <summary>The sandbox provider's notification, as it posts it to <c>/payments/callback</c>.</summary>
public sealed record PaymentCallbackRequest(
    [property: Required, Token] string? OrderId,
    [property: Required, StringLength(100, ErrorMessage = "At most {1} characters.")] string? PaymentReference,
    [property: Required] long? AmountFen,
    [property: Required] DateTimeOffset? PaidAt,
    [property: Required, StringLength(200, ErrorMessage = "At most {1} characters.")] string? Signature);

public sealed record PaymentCallbackResponse(string OrderId, string Status);
