using System.Collections.Immutable;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;
using PointsMall.Payments;

namespace PointsMall.Grains.Orders;

/// <summary>The order grain's durable state: the domain saga plus what the grain needs to resume it.</summary>
public sealed record OrderState
{
    /// <summary>The saga; null until the order is placed.</summary>
    public Order? Order { get; init; }

    /// <summary>The command that placed it (a member redemption), kept to tell a retry from a conflicting reuse of the id.</summary>
    public PlaceOrder? Command { get; init; }

    /// <summary>The command that placed it (a lottery prize).</summary>
    public PlacePrizeOrder? PrizeCommand { get; init; }

    /// <summary>Prize orders take nothing from product stock: the lottery's prize tier already counted the unit.</summary>
    public bool IsPrize { get; init; }

    public string ProductName { get; init; } = "";

    /// <summary>The member's tier when the order was placed, so a resumed reservation asks with the same tier.</summary>
    public Tier MemberTier { get; init; }

    /// <summary>The refusal (stock or points) that cancelled the order while it was being placed; replayed to retries.</summary>
    public Refusal? PlaceRefusal { get; init; }

    /// <summary>The provider's payment for the cash part (points + cash), created when the order starts waiting for it.</summary>
    public PaymentSession? Payment { get; init; }

    /// <summary>Where a physical order ships: the member's address as it was when the order was placed.</summary>
    public ShippingAddressView? ShippingAddress { get; init; }

    /// <summary>The product's per-member limit as reserved, which the member checks with the spend.</summary>
    public int? PurchaseLimit { get; init; }

    /// <summary>The product gives each order one of its uploaded codes (a code-pool product), snapshotted when placed.</summary>
    public bool CodePool { get; init; }

    /// <summary>The reservation was a sale at once (points only), so the commit step needs no call to the product.</summary>
    public bool StockFinal { get; init; }

    /// <summary>The status last indexed, so each status change is written once.</summary>
    public string? PublishedStatus { get; init; }

    /// <summary>
    /// The reminders this order has set, by name, with their due times, so each write sets or removes exactly
    /// the ones that changed.
    /// </summary>
    public ImmutableSortedDictionary<string, DateTimeOffset> Reminders { get; init; } = ImmutableSortedDictionary<string, DateTimeOffset>.Empty;
}
