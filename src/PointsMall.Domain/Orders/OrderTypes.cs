using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Orders;

/// <summary>The order status members and operators see.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    /// <summary>待支付: the saga has not finished taking payment (points, and cash for points + cash).</summary>
    PendingPayment,

    /// <summary>待发货: paid; physical goods wait for shipment, virtual goods for their code.</summary>
    PendingShipment,

    /// <summary>已发货</summary>
    Shipped,

    /// <summary>已完成</summary>
    Completed,

    /// <summary>已取消 (including while compensation is still running).</summary>
    Cancelled,
}

/// <summary>The saga's internal step, recorded durably after each step so a grain can resume.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SagaStep>))]
public enum SagaStep
{
    Created,
    StockReserved,
    PointsSpent,
    AwaitingPayment,
    Paid,
    StockCommitted,
    AwaitingShipment,
    Shipped,
    Completed,

    /// <summary>Undoing: see <see cref="Order.Compensation"/> for what is still to undo.</summary>
    Compensating,
    Cancelled,
}

/// <summary>What the grain should do next to move the saga on (used on every call and on reminder resume).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SagaAction>))]
public enum SagaAction
{
    None,
    ReserveStock,
    SpendPoints,
    WaitForPayment,
    CommitStock,
    IssueCode,
    WaitForShipment,
    WaitForReceipt,
    RefundPoints,
    RefundCash,
    ReleaseStock,
}

/// <summary>Undo work still owed. Cleared flag by flag as each compensation step is recorded.</summary>
public sealed record Compensation(bool RefundPoints, bool RefundCash, bool ReleaseStock)
{
    [JsonIgnore]
    public bool IsDone => !RefundPoints && !RefundCash && !ReleaseStock;
}

public sealed record Shipment(string Carrier, string TrackingNumber, DateTimeOffset ShippedAt);

public sealed record OrderStepRecord(SagaStep Step, DateTimeOffset At, string? Detail);

/// <summary>Time limits copied onto each order at creation, so later rule changes never alter existing orders.</summary>
public sealed record OrderPolicy(TimeSpan PaymentWindow, TimeSpan AutoCompleteAfter)
{
    /// <summary>30 minutes to pay the cash part; completion 7 days after shipment if the member does not confirm.</summary>
    public static OrderPolicy Default { get; } = new(TimeSpan.FromMinutes(30), TimeSpan.FromDays(7));
}

/// <summary>The next action plus when to wake up for it (payment deadline, auto-complete), for a reminder.</summary>
public sealed record SagaNext(SagaAction Action, DateTimeOffset? WakeAt);

public sealed record OrderTransition(Order Order, Refusal? Refusal, bool Replayed)
{
    public bool Succeeded => Refusal is null;
}
