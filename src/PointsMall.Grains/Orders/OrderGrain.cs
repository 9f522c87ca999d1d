using Microsoft.Extensions.DependencyInjection;
using PointsMall.GroupCommit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Coupons;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Grains.Analytics;
using PointsMall.GroupCommit.Outbox;
using PointsMall.Payments;

namespace PointsMall.Grains.Orders;

// Design note — the redemption saga: idempotent by order id, and compensated step by step.
// The domain Order is the state machine; this grain only drives it: ask order.Next(), do that one step at the
// product or member grain (OrderSagaSteps), record the matching transition, make it durable (WriteStateAsync),
// tell the observer, and ask Next() again, until the saga rests (waiting for payment, shipment or receipt, or done).
// - Durable before the effect: the order is written as Created, together with its resume reminder, before
//   the first call out, and each step is written before the next call. After a crash the stored step says
//   which calls may have happened; those are simply repeated, because every call is keyed by the order id
//   (reservation, spend, refund "refund:<id>", commit, release), so a repeat returns the first outcome.
// - Reminders are derived from Next() in one place (OrderReminderPlan) and go out in the same write as the step:
//   "saga" while a step is in flight (fires only if the process died or a call failed), "payment-deadline"
//   while the cash part is unpaid, "auto-complete" once shipped. The reminder handler just runs the saga.
// - Refusals are answers: stock refused → Cancelled (nothing taken); points refused → release the stock.
//   Compensation treats not_found (the step never happened) as done.
// - Lines at the product are forgotten once settled: after the commit or the release is durable here, the order
//   tells the product to drop its line (unawaited; a lost forget is pruned by the product later), and hands the
//   sale back with the release if it is cancelled after that. The hot product's state stays O(orders in flight).
// - Not reentrant: the grains this one calls (member, product) never call an order.
// - Every runtime call (state, writes, index, reminders, grain references, deactivation) is made here, so the
//   classes beside it (OrderCommands, OrderViews, OrderReminderPlan, OrderSagaSteps, OrderPayments) carry over
//   to another runtime as they are: they return values, and the saga steps call the member and the product only
//   through the references this grain hands them.
[GrainType("order")]
public sealed partial class OrderGrain(
    [PipelinedState("state", GrainStorage.Name)] IPipelinedState<OrderState> state,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    IPaymentProvider payments,
    IOrderSagaObserver observer,
    IOptions<OrderSagaOptions> options,
    IOptions<AnalyticsOptions> analytics,
    ILogger<OrderGrain> logger) : MallGrain, IOrderGrain, IRemindable
{
    internal const string SagaReminder = OrderReminderPlan.Saga;
    internal const string PaymentDeadlineReminder = OrderReminderPlan.PaymentDeadline;
    internal const string AutoCompleteReminder = OrderReminderPlan.AutoComplete;

    private readonly OrderSagaOptions _options = options.Value;
    private readonly OrderPayments _payments = new(payments, time, logger);

    public async Task<OrderResult> PlaceAsync(PlaceOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not null)
        {
            return await ReplayAsync(state.State.Command == command);
        }

        if (OrderCommands.Validate(command) is { } invalid)
        {
            return OrderViews.Refused(invalid);
        }

        var member = await GrainFactory.GetGrain<IMemberGrain>(command.MemberId).GetAsync();
        if (member is null)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "member_not_found"));
        }

        var product = await GrainFactory.GetGrain<IProductGrain>(command.ProductId).GetAsync();
        if (product is null)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "product_not_found"));
        }

        if ((OrderCommands.CheckPayment(command, product.Product) ?? OrderCommands.CheckAddress(command, member, product.Product)) is { } refused)
        {
            return OrderViews.Refused(refused);
        }

        // The price now, a limited-time discount included; the reservation confirms it (or the product's change since).
        var offered = product.Product with { Price = product.Product.PriceAt(Now) };

        // A coupon that cannot pay for this order is refused now, before any stock is reserved; the spend checks it
        // again, in the member's turn that uses it.
        if (command.CouponId is { } couponId)
        {
            var quote = await GrainFactory.GetGrain<ICouponWalletGrain>(command.MemberId)
                .QuoteCouponAsync(new QuoteCoupon(couponId, offered.Price.Times(command.Quantity).Points, offered.Category));
            if (quote.Refusal is { } notUsable)
            {
                return new OrderResult(null, notUsable);
            }
        }

        var order = Order.Create(GrainKey, command.MemberId, offered, command.Quantity, Now, Policy) with { CouponId = command.CouponId };
        state.State = OrderCommands.Placing(state.State, command, member, product.Product);
        await RecordAsync(order);
        await RunSagaAsync();
        return OrderViews.Placed(state.State);
    }

    public async Task<OrderResult> PlacePrizeAsync(PlacePrizeOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not null)
        {
            return await ReplayAsync(state.State.PrizeCommand == command);
        }

        if (OrderCommands.Validate(command) is { } invalid)
        {
            return OrderViews.Refused(invalid);
        }

        var product = await GrainFactory.GetGrain<IProductGrain>(command.ProductId).GetAsync();
        if (product is null)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "product_not_found"));
        }

        // The lottery's prize tier already took the unit from its own stock, and a prize need not be on sale,
        // so the saga records the stock steps without calling the product grain (see OrderSagaSteps).
        // A physical prize ships like a redeemed item: to the winner's default address, copied now.
        var member = product.Product.Category == ProductCategory.Physical ? await GrainFactory.GetGrain<IMemberGrain>(command.MemberId).GetAsync() : null;
        var order = Order.CreatePrize(GrainKey, command.MemberId, product.Product, Now, Policy);
        state.State = state.State with
        {
            PrizeCommand = command,
            IsPrize = true,
            ProductName = product.Product.Name,
            ShippingAddress = OrderCommands.ShippingAddress(null, member, product.Product),
        };
        await RecordAsync(order);
        await RunSagaAsync();
        return OrderViews.Placed(state.State);
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(View());

    public async Task<OrderResult> CancelAsync(CancelOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);

        // Someone else's order answers exactly like a missing one, so order ids cannot be probed.
        if (state.State.Order is not { } order || (command.MemberId is not null && command.MemberId != order.MemberId))
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        // The saga runs on even for a replayed cancellation: its compensation may have been interrupted.
        return await ApplyAsync(order.Cancel(OrderCommands.CancelReason(command), Now), runSaga: true);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Order is not { } order)
        {
            RemoveReminder(reminderName);
            return;
        }

        // A fired reminder has done its job: it is removed once this turn is durable, unless SyncReminders sets it
        // again below because the saga still needs it (a later set of the same name in the turn wins).
        if (state.State.Reminders.ContainsKey(reminderName))
        {
            state.State = state.State with { Reminders = state.State.Reminders.Remove(reminderName) };
        }

        RemoveReminder(reminderName);

        if (reminderName == SagaReminder)
        {
            OrderLog.Resuming(logger, order.Id, order.Step);
        }

        await RunSagaAsync();
    }

    private DateTimeOffset Now => time.GetUtcNow();

    private OrderPolicy Policy => new(_options.PaymentWindow, _options.AutoCompleteAfter);

    private OrderView? View() => OrderViews.View(state.State);

    private async Task<OrderResult> ReplayAsync(bool sameCommand)
    {
        if (!sameCommand)
        {
            // Same id, different request: a reused idempotency key. Nothing about the existing order is shown.
            return OrderViews.Refused(new Refusal(RefusalCode.Conflict, "order_id_reused"));
        }

        // A retry after a crash or a failed call finds the saga mid-way: carry it on before answering.
        await RunSagaAsync();
        return OrderViews.Placed(state.State);
    }

    /// <summary>Records a command's transition unless it is refused or a replay, and answers with the order.</summary>
    private async Task<OrderResult> ApplyAsync(OrderTransition transition, bool runSaga = false)
    {
        if (transition.Refusal is { } refusal)
        {
            return new OrderResult(View(), Problem.From(refusal));
        }

        if (!transition.Replayed)
        {
            await RecordAsync(transition.Order);
        }

        if (runSaga)
        {
            await RunSagaAsync();
        }

        return new OrderResult(View(), null);
    }

    /// <summary>Runs saga steps until Next() says wait (or a compensation step must be retried later).</summary>
    private async Task RunSagaAsync()
    {
        var placed = state.State.Order!;
        var steps = new OrderSagaSteps(
            GrainFactory.GetGrain<IMemberGrain>(placed.MemberId), GrainFactory.GetGrain<IProductGrain>(placed.ProductId), _payments, time, logger)
        {
            Codes = new OrderCodes(GrainFactory, placed.ProductId),
        };
        var moved = false;
        while (true)
        {
            var order = state.State.Order!;
            var (next, after) = await steps.NextAsync(order, state.State);
            state.State = after;
            if (next is null)
            {
                break;
            }

            await RecordAsync(next);
            moved = true;
            steps.ForgetSettledLine(order, next, state.State);
        }

        SyncReminders();
        if (moved && state.State.Order!.Next().Action is SagaAction.None or SagaAction.WaitForShipment or SagaAction.WaitForReceipt)
        {
            // Come to rest until an operator or a reminder days away: a flash sale leaves thousands of such orders,
            // and keeping them resident only makes every GC slower. A later call reads the order back from storage.
            // Only when this call moved the saga: retries queued behind it are served by the next activation, which
            // stays (Orleans forwards queued calls a bounded number of times, so each must not deactivate again).
            DeactivateOnIdle();
        }
    }

    /// <summary>Records the steps taken since the last record: state and reminders in one durable write, then the observer (once per step).</summary>
    private async Task RecordAsync(Order order)
    {
        var recorded = state.State.Order?.History.Count ?? 0;
        state.State = state.State with { Order = order };
        SyncReminders();
        PublishStatusChange(order);
        await state.CommitAsync();
        for (var i = recorded; i < order.History.Count; i++)
        {
            observer.OnStepDurable(order.Id, order.History[i].Step);
        }
    }

    /// <summary>Sets and removes reminders so that exactly the ones the saga's next action needs are set.</summary>
    private void SyncReminders()
    {
        var current = state.State.Reminders;
        var wanted = OrderReminderPlan.Wanted(state.State.Order!, current, Now, _options.ResumeAfter);
        foreach (var change in OrderReminderPlan.Changes(current, wanted))
        {
            if (change.Due is { } due)
            {
                SetReminder(change.Name, due);
            }
            else
            {
                RemoveReminder(change.Name);
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
    private void PublishStatusChange(Order order, bool force = false)
    {
        var status = order.Status.ToString();
        if (force || status != state.State.PublishedStatus)
        {
            if (analytics.Value.Enabled && status != state.State.PublishedStatus && DayRules.Counts(status, state.State.PublishedStatus, state.State.IsPrize))
            {
                Publish(new StreamId(AnalyticsStreams.Namespace, order.Id), OrderViews.Activity(order, state.State, status));
            }

            if (status != state.State.PublishedStatus && OrderNotices.For(order, state.State.ProductName, status) is { } notice)
            {
                Notify(notice);
            }

            state.State = state.State with { PublishedStatus = status };
            UpdateIndex(OrderKeys.Index, OrderViews.Summary(order, state.State, status), order.CreatedAt.UtcTicks,
                partition: order.MemberId, tag: status, text: $"{order.Id} {state.State.ProductName}");
        }
    }
}
