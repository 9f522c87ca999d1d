using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Orders;

/// <summary>
/// A redemption order as a pure saga state machine (DESIGN rule 5). The grain asks <see cref="Next"/>,
/// performs that step against the stock unit or the member (each keyed by the order id, hence idempotent),
/// then records the result with one of the transition methods and persists the order before answering.
/// After a crash it simply asks <see cref="Next"/> again. Each transition returns a new order or a refusal
/// (<c>conflict</c> / <c>illegal_transition</c>); re-recording a step already recorded is a replay.
/// <para>Flow: Created → StockReserved → PointsSpent → [AwaitingPayment → Paid] → StockCommitted →
/// physical: AwaitingShipment → Shipped → Completed; virtual/service: code issued → Completed.
/// Failures and cancellation go to Compensating (refund points / refund cash / release stock) → Cancelled.</para>
/// </summary>
public sealed record Order(
    string Id,
    string MemberId,
    string ProductId,
    int Quantity,
    ProductCategory Category,
    Price UnitPrice,
    long PointsTotal,
    long CashTotalFen,
    DateTimeOffset CreatedAt,
    OrderPolicy Policy,
    SagaStep Step,
    DateTimeOffset? PaymentDeadline,
    string? PaymentReference,
    Shipment? Shipment,
    DateTimeOffset? AutoCompleteAt,
    string? FulfilmentCode,
    Compensation? Compensation,
    Refusal? CancelReason,
    ImmutableList<OrderStepRecord> History,
    bool Prize = false,
    string? CouponId = null,
    long CouponDiscount = 0)
{
    public static Order Create(
        string orderId, string memberId, Product product, int quantity, DateTimeOffset now, OrderPolicy? policy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        ArgumentNullException.ThrowIfNull(product);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        var total = product.Price.Times(quantity);
        return new Order(orderId, memberId, product.Id, quantity, product.Category, product.Price, total.Points,
            total.CashFen, now, policy ?? OrderPolicy.Default, SagaStep.Created, null, null, null, null, null, null, null,
            [new OrderStepRecord(SagaStep.Created, now, null)]);
    }

    /// <summary>A prize order: zero cost and no purchase limit, so the saga skips the member and payment.</summary>
    public static Order CreatePrize(string orderId, string memberId, Product product, DateTimeOffset now, OrderPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Create(orderId, memberId, product with { Price = new Price(0, 0) }, 1, now, policy) with { Prize = true };
    }

    [JsonIgnore]
    public OrderStatus Status => Step switch
    {
        SagaStep.Created or SagaStep.StockReserved or SagaStep.PointsSpent or SagaStep.AwaitingPayment => OrderStatus.PendingPayment,
        SagaStep.Paid or SagaStep.StockCommitted or SagaStep.AwaitingShipment => OrderStatus.PendingShipment,
        SagaStep.Shipped => OrderStatus.Shipped,
        SagaStep.Completed => OrderStatus.Completed,
        _ => OrderStatus.Cancelled,
    };

    [JsonIgnore]
    public bool IsPhysical => Category == ProductCategory.Physical;

    [JsonIgnore]
    public bool IsFinal => Step is SagaStep.Completed or SagaStep.Cancelled;

    /// <summary>What the grain should do now, and when to wake if it must wait.</summary>
    public SagaNext Next() => Step switch
    {
        SagaStep.Created => new(SagaAction.ReserveStock, null),
        SagaStep.StockReserved => new(SagaAction.SpendPoints, null),
        SagaStep.PointsSpent or SagaStep.Paid => new(SagaAction.CommitStock, null),
        SagaStep.AwaitingPayment => new(SagaAction.WaitForPayment, PaymentDeadline),
        SagaStep.StockCommitted => new(SagaAction.IssueCode, null),
        SagaStep.AwaitingShipment => new(SagaAction.WaitForShipment, null),
        SagaStep.Shipped => new(SagaAction.WaitForReceipt, AutoCompleteAt),
        SagaStep.Compensating when Compensation is { RefundPoints: true } => new(SagaAction.RefundPoints, null),
        SagaStep.Compensating when Compensation is { RefundCash: true } => new(SagaAction.RefundCash, null),
        SagaStep.Compensating when Compensation is { ReleaseStock: true } => new(SagaAction.ReleaseStock, null),
        _ => new(SagaAction.None, null),
    };

    public bool HasPassed(SagaStep step) => History.Exists(h => h.Step == step);

    public OrderTransition StockReserved(DateTimeOffset now)
    {
        if (HasPassed(SagaStep.StockReserved))
        {
            return Replay();
        }

        if (Step != SagaStep.Created)
        {
            return Illegal(nameof(StockReserved));
        }

        var reserved = Advance(SagaStep.StockReserved, now);

        // A prize owes the member nothing: the spend step is recorded as done so the history stays uniform. Any other
        // order goes to the member even at 0 points, which records the purchase against the per-member limit.
        return Prize ? reserved.AfterPointsSpent(now, "no_points_due") : Ok(reserved);
    }

    /// <summary>The stock unit refused (sold out, limit, off shelf): nothing was taken, so nothing to undo.</summary>
    public OrderTransition StockRefused(Refusal refusal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (Step == SagaStep.Cancelled && CancelReason == refusal)
        {
            return Replay();
        }

        return Step == SagaStep.Created
            ? Ok(Advance(SagaStep.Cancelled, now, refusal.CodeName) with { CancelReason = refusal })
            : Illegal(nameof(StockRefused));
    }

    /// <summary>
    /// The member paid the points; <paramref name="couponDiscount"/> is what the order's coupon took off them, so
    /// <see cref="PointsTotal"/> becomes what was spent.
    /// </summary>
    public OrderTransition PointsSpent(DateTimeOffset now, long couponDiscount = 0)
    {
        if (HasPassed(SagaStep.PointsSpent))
        {
            return Replay();
        }

        if (couponDiscount < 0 || couponDiscount > PointsTotal || (couponDiscount > 0 && CouponId is null))
        {
            return Refuse(RefusalCode.ValidationFailed, "coupon_discount_out_of_range");
        }

        return Step == SagaStep.StockReserved
            ? (this with { PointsTotal = PointsTotal - couponDiscount, CouponDiscount = couponDiscount }).AfterPointsSpent(now, couponDiscount > 0 ? $"coupon −{couponDiscount}" : null)
            : Illegal(nameof(PointsSpent));
    }

    /// <summary>The member could not pay (insufficient points): release the reserved stock.</summary>
    public OrderTransition PointsRefused(Refusal refusal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (CancelReason == refusal && Step is SagaStep.Compensating or SagaStep.Cancelled)
        {
            return Replay();
        }

        return Step == SagaStep.StockReserved
            ? Ok(StartCompensation(new Compensation(false, false, true), refusal, now))
            : Illegal(nameof(PointsRefused));
    }

    /// <summary>The payment provider's (verified) callback. A repeat with the same reference is a replay.</summary>
    public OrderTransition PaymentConfirmed(string paymentReference, long amountFen, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(paymentReference);
        if (HasPassed(SagaStep.Paid))
        {
            return PaymentReference == paymentReference ? Replay() : Refuse(RefusalCode.Conflict, "already_paid");
        }

        if (Step != SagaStep.AwaitingPayment)
        {
            // Typically a payment that arrives after a timeout or cancellation: the grain must refund it.
            return Refuse(RefusalCode.Conflict, Step is SagaStep.Compensating or SagaStep.Cancelled ? "order_cancelled" : "illegal_transition");
        }

        if (amountFen != CashTotalFen)
        {
            return Refuse(RefusalCode.ValidationFailed, "amount_mismatch");
        }

        return Ok(Advance(SagaStep.Paid, now, paymentReference) with { PaymentReference = paymentReference });
    }

    /// <summary>The payment deadline passed: refund the points and release the stock.</summary>
    public OrderTransition PaymentTimedOut(DateTimeOffset now)
    {
        if (HasPassed(SagaStep.Paid))
        {
            return Refuse(RefusalCode.Conflict, "already_paid");
        }

        if (Step != SagaStep.AwaitingPayment)
        {
            return Step is SagaStep.Compensating or SagaStep.Cancelled ? Replay() : Illegal(nameof(PaymentTimedOut));
        }

        return now < PaymentDeadline
            ? Refuse(RefusalCode.Conflict, "deadline_not_reached")
            : Ok(StartCompensation(new Compensation(!Prize, false, true),
                new Refusal(RefusalCode.Conflict, "payment_timeout"), now));
    }

    public OrderTransition StockCommitted(DateTimeOffset now)
    {
        if (HasPassed(SagaStep.StockCommitted))
        {
            return Replay();
        }

        if (Step is not (SagaStep.PointsSpent or SagaStep.Paid))
        {
            return Illegal(nameof(StockCommitted));
        }

        var committed = Advance(SagaStep.StockCommitted, now);
        return Ok(IsPhysical ? committed.Advance(SagaStep.AwaitingShipment, now) : committed);
    }

    /// <summary>Virtual goods and services: the code is issued and the order completes.</summary>
    public OrderTransition CodeIssued(string code, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        if (FulfilmentCode is not null)
        {
            return FulfilmentCode == code ? Replay() : Refuse(RefusalCode.Conflict, "code_already_issued");
        }

        return Step == SagaStep.StockCommitted && !IsPhysical
            ? Ok(Advance(SagaStep.Completed, now, "code_issued") with { FulfilmentCode = code })
            : Illegal(nameof(CodeIssued));
    }

    public OrderTransition Ship(string carrier, string trackingNumber, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(carrier) || string.IsNullOrWhiteSpace(trackingNumber))
        {
            return Refuse(RefusalCode.ValidationFailed, "carrier_and_tracking_required");
        }

        if (Shipment is not null)
        {
            return Shipment.Carrier == carrier && Shipment.TrackingNumber == trackingNumber
                ? Replay()
                : Refuse(RefusalCode.Conflict, "already_shipped");
        }

        return Step == SagaStep.AwaitingShipment
            ? Ok(Advance(SagaStep.Shipped, now, $"{carrier}:{trackingNumber}") with
            {
                Shipment = new Shipment(carrier, trackingNumber, now),
                AutoCompleteAt = now + Policy.AutoCompleteAfter,
            })
            : Illegal(nameof(Ship));
    }

    /// <summary>The member confirms receipt.</summary>
    public OrderTransition ConfirmReceived(DateTimeOffset now) => Complete(now, "confirmed_by_member");

    /// <summary>Completes a shipped order once <see cref="AutoCompleteAt"/> has passed (reminder).</summary>
    public OrderTransition AutoComplete(DateTimeOffset now)
    {
        if (Step == SagaStep.Shipped && now < AutoCompleteAt)
        {
            return Refuse(RefusalCode.Conflict, "auto_complete_not_due");
        }

        return Complete(now, "auto_completed");
    }

    /// <summary>
    /// Cancels before shipment (member or operator). Anything the saga may already have done is undone; the
    /// stock unit and the points account both treat undoing something never done as harmless.
    /// </summary>
    public OrderTransition Cancel(string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (Step is SagaStep.Compensating or SagaStep.Cancelled)
        {
            return Replay();
        }

        if (Step is SagaStep.Shipped or SagaStep.Completed)
        {
            return Refuse(RefusalCode.Conflict, "already_shipped");
        }

        var spendMayHaveRun = Step != SagaStep.Created && !Prize;
        var compensation = new Compensation(spendMayHaveRun, HasPassed(SagaStep.Paid), true);
        return Ok(StartCompensation(compensation, new Refusal(RefusalCode.Conflict, reason), now));
    }

    public OrderTransition PointsRefunded(DateTimeOffset now) =>
        Compensated(Compensation is { RefundPoints: true }, c => c with { RefundPoints = false }, "points_refunded", now);

    public OrderTransition CashRefunded(DateTimeOffset now) =>
        Compensated(Compensation is { RefundCash: true }, c => c with { RefundCash = false }, "cash_refunded", now);

    public OrderTransition StockReleased(DateTimeOffset now) =>
        Compensated(Compensation is { ReleaseStock: true }, c => c with { ReleaseStock = false }, "stock_released", now);

    private OrderTransition Compensated(bool pending, Func<Compensation, Compensation> clear, string detail, DateTimeOffset now)
    {
        if (Step != SagaStep.Compensating)
        {
            return Step == SagaStep.Cancelled ? Replay() : Illegal(detail);
        }

        if (!pending)
        {
            return Replay();
        }

        var left = clear(Compensation!);
        var next = Advance(SagaStep.Compensating, now, detail) with { Compensation = left };
        return Ok(left.IsDone ? next.Advance(SagaStep.Cancelled, now) : next);
    }

    private OrderTransition Complete(DateTimeOffset now, string detail)
    {
        if (Step == SagaStep.Completed)
        {
            return Replay();
        }

        return Step == SagaStep.Shipped ? Ok(Advance(SagaStep.Completed, now, detail)) : Illegal(detail);
    }

    private OrderTransition AfterPointsSpent(DateTimeOffset now, string? detail)
    {
        var spent = Advance(SagaStep.PointsSpent, now, detail);
        return Ok(CashTotalFen > 0
            ? spent.Advance(SagaStep.AwaitingPayment, now) with { PaymentDeadline = now + Policy.PaymentWindow }
            : spent);
    }

    private Order StartCompensation(Compensation compensation, Refusal reason, DateTimeOffset now)
    {
        var next = Advance(SagaStep.Compensating, now, reason.Detail) with { Compensation = compensation, CancelReason = reason };
        return compensation.IsDone ? next.Advance(SagaStep.Cancelled, now) : next;
    }

    private Order Advance(SagaStep step, DateTimeOffset now, string? detail = null) =>
        this with { Step = step, History = History.Add(new OrderStepRecord(step, now, detail)) };

    private static OrderTransition Ok(Order order) => new(order, null, false);

    private static OrderTransition Ok(OrderTransition transition) => transition;

    private OrderTransition Replay() => new(this, null, true);

    private OrderTransition Refuse(RefusalCode code, string detail) => new(this, new Refusal(code, detail), false);

    private OrderTransition Illegal(string transition) =>
        Refuse(RefusalCode.Conflict, $"illegal_transition:{Step}->{transition}");
}
