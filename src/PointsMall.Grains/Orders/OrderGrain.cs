using System.Collections.Immutable;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PointsMall.Actors;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;
using PointsMall.Domain.Stock;
using PointsMall.Payments;

namespace PointsMall.Grains.Orders;

// Design note — the redemption saga (DESIGN.md rules 4 and 5).
// The domain Order is the state machine; this grain only drives it: ask order.Next(), do that one step at the
// product or member grain, record the matching transition, make it durable (WriteStateAsync), tell the
// observer, and ask Next() again, until the saga rests (waiting for payment, shipment or receipt, or done).
// - Durable before the effect: the order is written as Created, together with its resume reminder, before
//   the first call out, and each step is written before the next call. After a crash the stored step says
//   which calls may have happened; those are simply repeated, because every call is keyed by the order id
//   (reservation, spend, refund "refund:<id>", commit, release), so a repeat returns the first outcome.
// - Reminders are derived from Next() in one place (SyncReminders) and go out in the same write as the step:
//   "saga" while a step is in flight (fires only if the process died or a call failed), "payment-deadline"
//   while the cash part is unpaid, "auto-complete" once shipped. The reminder handler just runs the saga.
// - Refusals are answers: stock refused → Cancelled (nothing taken); points refused → release the stock.
//   Compensation treats not_found (the step never happened) as done.
// - Lines at the product are forgotten once settled: after the commit or the release is durable here, the order
//   tells the product to drop its line (unawaited; a lost forget is pruned by the product later), and hands the
//   sale back with the release if it is cancelled after that. The hot product's state stays O(orders in flight).
// - Not reentrant: the grains this one calls (member, product) never call an order.
public sealed partial class OrderGrain(
    IPersistentState<OrderState> state,
    TimeProvider time,
    IPaymentProvider payments,
    IOrderSagaObserver observer,
    IOptions<OrderSagaOptions> options,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain, IRemindable
{
    internal const string SagaReminder = "saga";
    internal const string PaymentDeadlineReminder = "payment-deadline";
    internal const string AutoCompleteReminder = "auto-complete";

    private const int MaxQuantity = 99;
    private const string PaymentPoints = "points";
    private const string PaymentPointsCash = "points_cash";

    private readonly OrderSagaOptions _options = options.Value;

    public async Task<OrderResult> PlaceAsync(PlaceOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not null)
        {
            return await ReplayAsync(state.State.Command == command).ConfigureAwait(false);
        }

        if (Validate(command) is { } invalid)
        {
            return Refused(invalid);
        }

        var member = await GrainFactory.GetGrain<IMemberGrain>(command.MemberId).GetAsync().ConfigureAwait(false);
        if (member is null)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "member_not_found"));
        }

        var product = await GrainFactory.GetGrain<IProductGrain>(command.ProductId).GetAsync().ConfigureAwait(false);
        if (product is null)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "product_not_found"));
        }

        var hasCash = product.Product.Price.CashFen > 0;
        if (command.Payment == PaymentPointsCash && !hasCash)
        {
            return Refused(new Refusal(RefusalCode.ValidationFailed, "product_has_no_cash_price"));
        }

        if (command.Payment == PaymentPoints && hasCash)
        {
            return Refused(new Refusal(RefusalCode.ValidationFailed, "product_requires_points_cash"));
        }

        ShippingAddressView? address = null;
        if (product.Product.Category == ProductCategory.Physical)
        {
            // The address is copied onto the order: editing the address book later must not redirect a parcel.
            var chosen = command.AddressId is { } addressId
                ? member.Addresses.FirstOrDefault(a => a.Id == addressId)
                : member.Addresses.FirstOrDefault(a => a.IsDefault) ?? (member.Addresses.Count > 0 ? member.Addresses[0] : null);

            // An id the address book does not hold (removed meanwhile) leaves the order without one: the API checks
            // the id up front, and an operator can still ship after contacting the member.
            address = chosen is null ? null : new ShippingAddressView(chosen.Id, chosen.Recipient, chosen.Phone, chosen.Region, chosen.Detail);
        }

        var order = Order.Create(GrainKey, command.MemberId, product.Product, command.Quantity, Now, Policy);
        state.State = state.State with
        {
            Command = command,
            ProductName = product.Product.Name,
            MemberTier = ParseTier(member.Tier),
            ShippingAddress = address,
            PurchaseLimit = product.Product.EffectivePerMemberLimit,
        };
        await RecordAsync(order).ConfigureAwait(false);
        await RunSagaAsync().ConfigureAwait(false);
        return Result();
    }

    public async Task<OrderResult> PlacePrizeAsync(PlacePrizeOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not null)
        {
            return await ReplayAsync(state.State.PrizeCommand == command).ConfigureAwait(false);
        }

        if (string.IsNullOrWhiteSpace(command.MemberId) || string.IsNullOrWhiteSpace(command.ProductId))
        {
            return Refused(new Refusal(RefusalCode.ValidationFailed, "member_and_product_required"));
        }

        var product = await GrainFactory.GetGrain<IProductGrain>(command.ProductId).GetAsync().ConfigureAwait(false);
        if (product is null)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "product_not_found"));
        }

        // The lottery's prize tier already took the unit from its own stock, and a prize need not be on sale,
        // so the saga records the stock steps without calling the product grain (see StepAsync).
        var order = Order.CreatePrize(GrainKey, command.MemberId, product.Product, Now, Policy);
        state.State = state.State with { PrizeCommand = command, IsPrize = true, ProductName = product.Product.Name };
        await RecordAsync(order).ConfigureAwait(false);
        await RunSagaAsync().ConfigureAwait(false);
        return Result();
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(View());

    public async Task<OrderResult> CancelAsync(CancelOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var order = state.State.Order;

        // Someone else's order answers exactly like a missing one, so order ids cannot be probed.
        if (order is null || (command.MemberId is not null && command.MemberId != order.MemberId))
        {
            return Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        var reason = string.IsNullOrWhiteSpace(command.Reason)
            ? command.MemberId is null ? "cancelled_by_operator" : "cancelled_by_member"
            : command.Reason.Trim();
        var transition = order.Cancel(reason, Now);
        if (transition.Refusal is { } refusal)
        {
            return new OrderResult(View(), Problem.From(refusal));
        }

        if (!transition.Replayed)
        {
            await RecordAsync(transition.Order).ConfigureAwait(false);
        }

        await RunSagaAsync().ConfigureAwait(false);
        return new OrderResult(View(), null);
    }

    public async Task<OrderResult> ConfirmPaymentAsync(ConfirmPayment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var order = state.State.Order;
        if (order is null)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        // The session is made when the saga starts waiting; an activation reloaded since then makes it again
        // (same reference: the provider derives it from the order id) before checking the callback against it.
        if (order.Step == SagaStep.AwaitingPayment)
        {
            await EnsurePaymentAsync(order).ConfigureAwait(false);
        }

        var payment = state.State.Payment;
        var transition = order.PaymentConfirmed(command.PaymentReference, command.AmountFen, Now);
        if (transition.Refusal is { } refusal)
        {
            if (order.Step is SagaStep.Compensating or SagaStep.Cancelled && payment?.Reference == command.PaymentReference)
            {
                // Paid after the deadline or a cancellation: the goods are gone back to stock, so the money goes back.
                await payments.RefundAsync(order.Id, command.PaymentReference, command.AmountFen).ConfigureAwait(false);
                LogLatePaymentRefunded(logger, order.Id, command.PaymentReference);
            }

            return new OrderResult(View(), Problem.From(refusal));
        }

        if (transition.Replayed)
        {
            return new OrderResult(View(), null);
        }

        if (payment?.Reference != command.PaymentReference)
        {
            return new OrderResult(View(), new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "unknown_payment_reference"));
        }

        await RecordAsync(transition.Order).ConfigureAwait(false);
        await RunSagaAsync().ConfigureAwait(false);
        return new OrderResult(View(), null);
    }

    public async Task<OrderResult> ShipAsync(ShipOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var order = state.State.Order;
        if (order is null)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        return await ApplyAsync(order.Ship(command.Carrier?.Trim() ?? "", command.TrackingNumber?.Trim() ?? "", Now)).ConfigureAwait(false);
    }

    public async Task<OrderResult> ConfirmReceiptAsync(string memberId)
    {
        var order = state.State.Order;
        if (order is null || order.MemberId != memberId)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        return await ApplyAsync(order.ConfirmReceived(Now)).ConfigureAwait(false);
    }

    public async Task<OrderResult> StartPaymentAsync(string memberId)
    {
        var order = state.State.Order;
        if (order is null || order.MemberId != memberId)
        {
            return Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        if (order.Step != SagaStep.AwaitingPayment)
        {
            return new OrderResult(View(), new Problem(RefusalCodes.Name(RefusalCode.Conflict), "not_awaiting_payment"));
        }

        if (Now >= order.PaymentDeadline)
        {
            // The deadline passed and the reminder has not run yet: time the order out now rather than take money.
            await RunSagaAsync().ConfigureAwait(false);
            return new OrderResult(View(), new Problem(RefusalCodes.Name(RefusalCode.Conflict), "payment_timeout"));
        }

        if (await EnsurePaymentAsync(order).ConfigureAwait(false))
        {
            await state.WriteStateAsync().ConfigureAwait(false);
        }

        return new OrderResult(View(), null);
    }

    public async Task ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        if (state.State.Order is not { } order)
        {
            return;
        }

        // The runtime deletes the fired reminder when this turn is durable (unless it is set again with a new
        // due time), so it no longer counts as set; SyncReminders sets it again if the saga still needs it.
        if (state.State.Reminders.TryGetValue(reminderName, out var due) && due == tick.DueAt)
        {
            state.State = state.State with { Reminders = state.State.Reminders.Remove(reminderName) };
        }

        if (reminderName == SagaReminder)
        {
            LogResuming(logger, order.Id, order.Step);
        }

        await RunSagaAsync().ConfigureAwait(false);
    }

    private DateTimeOffset Now => time.GetUtcNow();

    private OrderPolicy Policy => new(_options.PaymentWindow, _options.AutoCompleteAfter);

    private async Task<OrderResult> ReplayAsync(bool sameCommand)
    {
        if (!sameCommand)
        {
            // Same id, different request: a reused idempotency key. Nothing about the existing order is shown.
            return Refused(new Refusal(RefusalCode.Conflict, "order_id_reused"));
        }

        // A retry after a crash or a failed call finds the saga mid-way: carry it on before answering.
        await RunSagaAsync().ConfigureAwait(false);
        return Result();
    }

    private async Task<OrderResult> ApplyAsync(OrderTransition transition)
    {
        if (transition.Refusal is { } refusal)
        {
            return new OrderResult(View(), Problem.From(refusal));
        }

        if (!transition.Replayed)
        {
            await RecordAsync(transition.Order).ConfigureAwait(false);
        }

        return new OrderResult(View(), null);
    }

    /// <summary>Runs saga steps until Next() says wait (or a compensation step must be retried later).</summary>
    private async Task RunSagaAsync()
    {
        while (true)
        {
            var order = state.State.Order!;
            var next = await StepAsync(order, order.Next()).ConfigureAwait(false);
            if (next is null)
            {
                break;
            }

            // Steps that call no other grain (a points-only commit, a prize's stock steps, issuing a code) go into
            // the same write as the step before them: "durable before the next call out" needs no write between.
            while (IsLocal(next.Next()) && await StepAsync(next, next.Next()).ConfigureAwait(false) is { } local)
            {
                next = local;
            }

            await RecordAsync(next).ConfigureAwait(false);
            ForgetSettledLine(order, next);
        }

        SyncReminders();
        if (state.State.Order!.Next().Action is SagaAction.None or SagaAction.WaitForShipment or SagaAction.WaitForReceipt)
        {
            // Resting until an operator or a reminder days away: a flash sale leaves thousands of such orders, and
            // keeping them resident only makes every GC slower. A later call reads the order back from storage.
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Once the commit or the release is durable here no step at the product will be retried, so its line can go.
    /// Not awaited: the reply would only delay this order, and a forget that is lost is pruned by the product.
    /// </summary>
    private void ForgetSettledLine(Order before, Order after)
    {
        var committed = !before.HasPassed(SagaStep.StockCommitted) && after.HasPassed(SagaStep.StockCommitted);
        var released = before.Compensation is { ReleaseStock: true } && after.Compensation is not { ReleaseStock: true };
        if (state.State.IsPrize || !(committed || released))
        {
            return;
        }

        _ = Product(after).ForgetAsync(after.Id).ContinueWith(
            t => LogForgetFailed(logger, t.Exception!.GetBaseException(), after.Id),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Performs one step: the order after it, or null when the saga rests (or must retry later).</summary>
    private async Task<Order?> StepAsync(Order order, SagaNext next)
    {
        var transition = await TransitionAsync(order, next).ConfigureAwait(false);
        if (transition?.Refusal is { } refusal)
        {
            // The domain refused a transition the saga itself chose: a bug. The resume reminder retries it.
            LogStepRefused(logger, order.Id, order.Step, refusal.Detail);
            return null;
        }

        // Resting, or a replay that changed nothing (which would otherwise loop).
        return transition is null || ReferenceEquals(transition.Order, order) ? null : transition.Order;
    }

    /// <summary>Whether the step is done without calling another grain (so it needs no durable write before it).</summary>
    private bool IsLocal(SagaNext next) => next.Action switch
    {
        SagaAction.CommitStock => state.State.IsPrize || state.State.StockFinal,
        SagaAction.ReserveStock or SagaAction.ReleaseStock => state.State.IsPrize,
        SagaAction.IssueCode => true,
        _ => false,
    };

    /// <summary>Performs one step and returns its transition; null when the saga rests (or must retry later).</summary>
    private async Task<OrderTransition?> TransitionAsync(Order order, SagaNext next)
    {
        switch (next.Action)
        {
            case SagaAction.ReserveStock:
                return await ReserveAsync(order).ConfigureAwait(false);

            case SagaAction.SpendPoints:
                // The member checks the per-member limit with the spend (its own turn serialises its orders).
                var spent = await Member(order).SpendAsync(new SpendPoints(
                    order.Id, order.PointsTotal, SpendReason(order, state.State.ProductName), new Purchase(order.ProductId, order.Quantity), state.State.PurchaseLimit)).ConfigureAwait(false);
                if (spent.Refusal is { } notSpent)
                {
                    var refusal = ToRefusal(notSpent);
                    state.State = state.State with { PlaceRefusal = refusal };
                    return order.PointsRefused(refusal, Now);
                }

                return order.PointsSpent(Now);

            case SagaAction.CommitStock:
                if (!state.State.IsPrize && !state.State.StockFinal)
                {
                    var committed = await Product(order).CommitAsync(order.Id).ConfigureAwait(false);
                    if (committed.Refusal is { } notCommitted)
                    {
                        // The reservation is gone (it should never be): undo everything rather than ship without stock.
                        LogCommitRefused(logger, order.Id, notCommitted.Code, notCommitted.Detail);
                        return order.Cancel("stock_commit_refused", Now);
                    }
                }

                return order.StockCommitted(Now);

            case SagaAction.IssueCode:
                // Nobody sees the code before this step is durable, so a code lost in a crash is just drawn again.
                return order.CodeIssued(NewCode(), Now);

            case SagaAction.RefundPoints:
                var refunded = await Member(order).RefundAsync(
                    new RefundPoints("refund:" + order.Id, order.Id, null, "cancel " + order.Id)).ConfigureAwait(false);
                if (refunded.Refusal is { } notRefunded && notRefunded.Code != RefusalCodes.Name(RefusalCode.NotFound))
                {
                    LogCompensationRefused(logger, order.Id, next.Action, notRefunded.Code, notRefunded.Detail);
                    return null;
                }

                // not_found: the spend never happened (the saga stopped before it), so there is nothing to return.
                return order.PointsRefunded(Now);

            case SagaAction.RefundCash:
                await payments.RefundAsync(order.Id, order.PaymentReference!, order.CashTotalFen).ConfigureAwait(false);
                return order.CashRefunded(Now);

            case SagaAction.ReleaseStock:
                if (!state.State.IsPrize)
                {
                    // Once the commit is recorded the product may have forgotten the line: say what to give back.
                    var settled = order.HasPassed(SagaStep.StockCommitted) ? new SettledSale(order.Quantity) : null;
                    var released = await Product(order).ReleaseAsync(new ReleaseStock(order.Id, settled)).ConfigureAwait(false);
                    if (released.Refusal is { } notReleased && notReleased.Code != RefusalCodes.Name(RefusalCode.NotFound))
                    {
                        LogCompensationRefused(logger, order.Id, next.Action, notReleased.Code, notReleased.Detail);
                        return null;
                    }
                }

                return order.StockReleased(Now);

            case SagaAction.WaitForPayment:
                if (Now >= next.WakeAt)
                {
                    return order.PaymentTimedOut(Now);
                }

                await EnsurePaymentAsync(order).ConfigureAwait(false);
                return null;

            case SagaAction.WaitForReceipt:
                return Now >= next.WakeAt ? order.AutoComplete(Now) : null;

            default:
                return null;
        }
    }

    private async Task<OrderTransition> ReserveAsync(Order order)
    {
        if (state.State.IsPrize)
        {
            return order.StockReserved(Now);
        }

        // A points-only order has nothing to wait for once paid in points, so its reservation is a sale at once and
        // its commit step needs no second call to the (hot) product. Deterministic from the recorded order, so a
        // resumed saga asks the same way.
        var final = order.CashTotalFen == 0;
        var reservation = await Product(order)
            .ReserveAsync(new ReserveStock(order.Id, order.MemberId, state.State.MemberTier, order.Quantity, final))
            .ConfigureAwait(false);
        if (reservation.Refusal is { } notReserved)
        {
            var refusal = ToRefusal(notReserved);
            state.State = state.State with { PlaceRefusal = refusal };
            return order.StockRefused(refusal, Now);
        }

        // The product as reserved is the order's snapshot: its price, and the limit the member checks with the spend.
        state.State = state.State with { StockFinal = final, PurchaseLimit = reservation.Product?.EffectivePerMemberLimit ?? state.State.PurchaseLimit };
        return WithPriceSnapshot(order, reservation.Product).StockReserved(Now);
    }

    /// <summary>The reservation carries the product as it was when reserved: that price is the one charged.</summary>
    private static Order WithPriceSnapshot(Order order, Product? reserved)
    {
        if (reserved is null || (reserved.Price == order.UnitPrice && reserved.Category == order.Category))
        {
            return order;
        }

        var total = reserved.Price.Times(order.Quantity);
        return order with { UnitPrice = reserved.Price, Category = reserved.Category, PointsTotal = total.Points, CashTotalFen = total.CashFen };
    }

    /// <summary>Creates the provider's payment for the cash part when the order has none yet; true when it made one.</summary>
    private async Task<bool> EnsurePaymentAsync(Order order)
    {
        if (state.State.Payment is not null)
        {
            return false;
        }

        var session = await payments.CreatePaymentAsync(order.Id, order.CashTotalFen, order.PaymentDeadline!.Value).ConfigureAwait(false);
        state.State = state.State with { Payment = session };
        return true;
    }

    /// <summary>Records the steps taken since the last record: state and reminders in one durable write, then the observer (once per step).</summary>
    private async Task RecordAsync(Order order)
    {
        var recorded = state.State.Order?.History.Count ?? 0;
        state.State = state.State with { Order = order };
        SyncReminders();
        PublishStatusChange(order);
        await state.WriteStateAsync().ConfigureAwait(false);
        for (var i = recorded; i < order.History.Count; i++)
        {
            observer.OnStepDurable(order.Id, order.History[i].Step);
        }
    }

    /// <summary>Sets and removes reminders so that exactly the ones the saga's next action needs are set.</summary>
    private void SyncReminders()
    {
        var order = state.State.Order!;
        var next = order.Next();
        var wanted = ImmutableSortedDictionary<string, DateTimeOffset>.Empty;
        switch (next.Action)
        {
            case SagaAction.WaitForPayment when next.WakeAt is { } deadline:
                wanted = wanted.Add(PaymentDeadlineReminder, deadline);
                break;
            case SagaAction.WaitForReceipt when next.WakeAt is { } autoComplete:
                wanted = wanted.Add(AutoCompleteReminder, autoComplete);
                break;
            case SagaAction.None or SagaAction.WaitForShipment or SagaAction.WaitForPayment or SagaAction.WaitForReceipt:
                break;
            default:
                // A step is in flight: keep the due time already set, so a long saga does not keep pushing it out.
                wanted = wanted.Add(SagaReminder, state.State.Reminders.TryGetValue(SagaReminder, out var due) ? due : Now + _options.ResumeAfter);
                break;
        }

        var current = state.State.Reminders;
        foreach (var (name, _) in current)
        {
            if (!wanted.ContainsKey(name))
            {
                UnregisterReminder(name);
            }
        }

        foreach (var (name, due) in wanted)
        {
            if (!current.TryGetValue(name, out var set) || set != due)
            {
                RegisterOrUpdateReminder(name, due);
            }
        }

        if (!current.SequenceEqual(wanted))
        {
            state.State = state.State with { Reminders = wanted };
        }
    }

    /// <summary>
    /// On each status change (not every step): the order's entry in the order index, which the board and the
    /// member's list read, in the same commit as the step.
    /// </summary>
    private void PublishStatusChange(Order order)
    {
        var status = order.Status.ToString();
        if (status == state.State.PublishedStatus)
        {
            return;
        }

        state.State = state.State with { PublishedStatus = status };
        var summary = new OrderSummary(order.Id, order.MemberId, order.ProductId, state.State.ProductName, order.Quantity,
            order.PointsTotal, order.CashTotalFen, status, order.CreatedAt, order.History[^1].At);
        UpdateIndex(OrderKeys.Index, summary, order.CreatedAt.UtcTicks, partition: order.MemberId, tag: status, text: $"{order.Id} {state.State.ProductName}");
    }

    private IMemberGrain Member(Order order) => GrainFactory.GetGrain<IMemberGrain>(order.MemberId);

    private IProductGrain Product(Order order) => GrainFactory.GetGrain<IProductGrain>(order.ProductId);

    private OrderResult Result() =>
        new(View(), state.State.PlaceRefusal is { } refusal ? Problem.From(refusal) : null);

    private static OrderResult Refused(Refusal refusal) => new(null, Problem.From(refusal));

    private OrderView? View()
    {
        if (state.State.Order is not { } o)
        {
            return null;
        }

        return new OrderView(
            o.Id,
            o.MemberId,
            o.ProductId,
            state.State.ProductName,
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
            PaymentReference = o.PaymentReference ?? state.State.Payment?.Reference,
            PayUrl = o.Step == SagaStep.AwaitingPayment ? state.State.Payment?.PayUrl : null,
            ShippingAddress = state.State.ShippingAddress,
            IsPrize = state.State.IsPrize,
            UpdatedAt = o.History[^1].At,
        };
    }

    private static Refusal? Validate(PlaceOrder command)
    {
        if (string.IsNullOrWhiteSpace(command.MemberId) || string.IsNullOrWhiteSpace(command.ProductId))
        {
            return new Refusal(RefusalCode.ValidationFailed, "member_and_product_required");
        }

        if (command.Quantity is < 1 or > MaxQuantity)
        {
            return new Refusal(RefusalCode.ValidationFailed, "quantity_must_be_1_to_99");
        }

        return command.Payment is PaymentPoints or PaymentPointsCash
            ? null
            : new Refusal(RefusalCode.ValidationFailed, "payment_must_be_points_or_points_cash");
    }

    /// <summary>What the member's points history says: the product by name, as the member knows it.</summary>
    private static string SpendReason(Order order, string productName)
        => $"兑换 Redeem {(string.IsNullOrWhiteSpace(productName) ? order.ProductId : productName)} ×{order.Quantity}";

    /// <summary>A refusal from another grain back into the domain's terms (unknown codes count as conflicts).</summary>
    private static Refusal ToRefusal(Problem problem)
    {
        foreach (var code in Enum.GetValues<RefusalCode>())
        {
            if (RefusalCodes.Name(code) == problem.Code)
            {
                return new Refusal(code, problem.Detail);
            }
        }

        return new Refusal(RefusalCode.Conflict, problem.Detail);
    }

    /// <summary>The member view's tier: the enum name, or the Chinese name the seeds use.</summary>
    internal static Tier ParseTier(string? tier)
    {
        if (Enum.TryParse<Tier>(tier, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        return tier switch
        {
            not null when tier.StartsWith("钻石", StringComparison.Ordinal) => Tier.Diamond,
            not null when tier.StartsWith("金卡", StringComparison.Ordinal) => Tier.Gold,
            not null when tier.StartsWith("银卡", StringComparison.Ordinal) => Tier.Silver,
            _ => Tier.Regular,
        };
    }

    private static string NewCode()
    {
        // 16 characters from an alphabet without look-alikes (no 0/O, 1/I), in groups of four.
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 16);
        return string.Join('-', chars.Chunk(4).Select(c => new string(c)));
    }

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Order {OrderId}: resuming the saga at step {Step}")]
    private static partial void LogResuming(ILogger logger, string orderId, SagaStep step);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "Order {OrderId}: the domain refused the saga's own transition at step {Step} ({Detail}); the resume reminder retries")]
    private static partial void LogStepRefused(ILogger logger, string orderId, SagaStep step, string detail);

    [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "Order {OrderId}: committing the reserved stock was refused ({Code}: {Detail}); the order is compensated")]
    private static partial void LogCommitRefused(ILogger logger, string orderId, string code, string detail);

    [LoggerMessage(EventId = 613, Level = LogLevel.Error, Message = "Order {OrderId}: compensation {Action} was refused ({Code}: {Detail}); the resume reminder retries")]
    private static partial void LogCompensationRefused(ILogger logger, string orderId, SagaAction action, string code, string detail);

    [LoggerMessage(EventId = 619, Level = LogLevel.Warning, Message = "Order {OrderId}: the product did not take the forget of its settled line; it prunes the line later")]
    private static partial void LogForgetFailed(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "Order {OrderId}: payment {PaymentReference} arrived after cancellation and was refunded")]
    private static partial void LogLatePaymentRefunded(ILogger logger, string orderId, string paymentReference);
}
