using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Stock;

namespace PointsMall.Grains.Orders;

/// <summary>
/// One saga step's outcome: the order after it (null when the saga rests or must retry later) and the grain state
/// as the step's answers left it (a refusal to replay, the reservation's terms, the payment session).
/// </summary>
internal readonly record struct SagaStepOutcome(Order? Order, OrderState State);

/// <summary>
/// The saga's steps for one order: each asks the member, the product or the payment provider what the order's
/// next action needs and turns the answer into the domain transition. Nothing here is recorded: the grain assigns
/// the returned state and makes it durable before the next call out.
/// </summary>
internal sealed class OrderSagaSteps(
    IMemberGrain member,
    IProductGrain product,
    OrderPayments payments,
    TimeProvider time,
    ILogger logger)
{
    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Where a code-pool product's orders get their codes.</summary>
    public required OrderCodes Codes { get; init; }

    /// <summary>The cancel reason of an order whose product's pool ran out of codes: its unit leaves the stock.</summary>
    public const string CodesExhausted = "codes_exhausted";

    /// <summary>
    /// Performs the order's next step and the steps after it that call no other grain (a points-only commit, a
    /// prize's stock steps, issuing a code): they go into the same write, since "durable before the next call out"
    /// needs no write between. The order to record, or none when the saga rests (or must retry later).
    /// </summary>
    public async Task<SagaStepOutcome> NextAsync(Order order, OrderState state)
    {
        var first = await StepAsync(order, order.Next(), state);
        if (first.Order is not { } next)
        {
            return first;
        }

        state = first.State;
        while (IsLocal(state, next.Next()))
        {
            var local = await StepAsync(next, next.Next(), state);
            state = local.State;
            if (local.Order is null)
            {
                break;
            }

            next = local.Order;
        }

        return new SagaStepOutcome(next, state);
    }

    /// <summary>
    /// Once the commit or the release is durable no step at the product will be retried, so its line can go.
    /// Not awaited: the reply would only delay this order, and a forget that is lost is pruned by the product.
    /// </summary>
    public void ForgetSettledLine(Order before, Order after, OrderState state)
    {
        var committed = !before.HasPassed(SagaStep.StockCommitted) && after.HasPassed(SagaStep.StockCommitted);
        var released = before.Compensation is { ReleaseStock: true } && after.Compensation is not { ReleaseStock: true };
        if (state.IsPrize || !(committed || released))
        {
            return;
        }

        _ = product.ForgetAsync(after.Id).ContinueWith(
            t => OrderLog.ForgetFailed(logger, t.Exception!.GetBaseException(), after.Id),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Whether the step is done without calling another grain (so it needs no durable write before it).</summary>
    private static bool IsLocal(OrderState state, SagaNext next) => next.Action switch
    {
        SagaAction.CommitStock => state.IsPrize || state.StockFinal,
        SagaAction.ReserveStock or SagaAction.ReleaseStock => state.IsPrize,
        SagaAction.IssueCode => !state.CodePool || state.IsPrize,
        _ => false,
    };

    /// <summary>Performs one step: the order after it, or none when the saga rests (or must retry later).</summary>
    private async Task<SagaStepOutcome> StepAsync(Order order, SagaNext next, OrderState state)
    {
        var (transition, after) = await TransitionAsync(order, next, state);
        if (transition?.Refusal is { } refusal)
        {
            // The domain refused a transition the saga itself chose: a bug. The resume reminder retries it.
            OrderLog.StepRefused(logger, order.Id, order.Step, refusal.Detail);
            return new SagaStepOutcome(null, after);
        }

        // Resting, or a replay that changed nothing (which would otherwise loop).
        return new SagaStepOutcome(transition is null || ReferenceEquals(transition.Order, order) ? null : transition.Order, after);
    }

    /// <summary>Performs one step and returns its transition (null when the saga rests or must retry later) and the state.</summary>
    private async Task<(OrderTransition? Transition, OrderState State)> TransitionAsync(Order order, SagaNext next, OrderState state)
    {
        switch (next.Action)
        {
            case SagaAction.ReserveStock:
                return await ReserveAsync(order, state);

            case SagaAction.SpendPoints:
                // The member checks the per-member limit with the spend (its own turn serialises its orders).
                var spent = await member.SpendAsync(new SpendPoints(
                    order.Id, order.PointsTotal, SpendReason(order, state.ProductName), new Purchase(order.ProductId, order.Quantity), state.PurchaseLimit)
                {
                    CouponId = order.CouponId,
                    Category = order.Category,
                });
                if (spent.Refusal is { } notSpent)
                {
                    var refusal = ToRefusal(notSpent);
                    return (order.PointsRefused(refusal, Now), state with { PlaceRefusal = refusal });
                }

                return (order.PointsSpent(Now, spent.CouponDiscount), state);

            case SagaAction.CommitStock:
                if (!state.IsPrize && !state.StockFinal)
                {
                    var committed = await product.CommitAsync(order.Id);
                    if (committed.Refusal is { } notCommitted)
                    {
                        // The reservation is gone (it should never be): undo everything rather than ship without stock.
                        OrderLog.CommitRefused(logger, order.Id, notCommitted.Code, notCommitted.Detail);
                        return (order.Cancel("stock_commit_refused", Now), state);
                    }
                }

                return (order.StockCommitted(Now), state);

            case SagaAction.IssueCode when state.CodePool && !state.IsPrize:
                return (await Codes.IssueAsync(order, logger, Now), state);

            case SagaAction.IssueCode:
                // Nobody sees the code before this step is durable, so a code lost in a crash is just drawn again.
                return (order.CodeIssued(NewCode(), Now), state);

            case SagaAction.RefundPoints:
                var refunded = await member.RefundAsync(
                    new RefundPoints("refund:" + order.Id, order.Id, null, "cancel " + order.Id));
                if (refunded.Refusal is { } notRefunded && notRefunded.Code != RefusalCodes.Name(RefusalCode.NotFound))
                {
                    OrderLog.CompensationRefused(logger, order.Id, next.Action, notRefunded.Code, notRefunded.Detail);
                    return (null, state);
                }

                // not_found: the spend never happened (the saga stopped before it), so there is nothing to return.
                return (order.PointsRefunded(Now), state);

            case SagaAction.RefundCash:
                await payments.RefundCashAsync(order);
                return (order.CashRefunded(Now), state);

            case SagaAction.ReleaseStock:
                if (!state.IsPrize)
                {
                    // Once the commit is recorded the product may have forgotten the line: say what to give back.
                    var settled = order.HasPassed(SagaStep.StockCommitted) ? new SettledSale(order.Quantity) : null;
                    var released = await product.ReleaseAsync(new ReleaseStock(order.Id, settled) { WriteOff = order.CancelReason?.Detail == CodesExhausted });
                    if (released.Refusal is { } notReleased && notReleased.Code != RefusalCodes.Name(RefusalCode.NotFound))
                    {
                        OrderLog.CompensationRefused(logger, order.Id, next.Action, notReleased.Code, notReleased.Detail);
                        return (null, state);
                    }
                }

                return (order.StockReleased(Now), state);

            case SagaAction.WaitForPayment:
                if (Now >= next.WakeAt)
                {
                    return (order.PaymentTimedOut(Now), state);
                }

                return (null, await payments.EnsureAsync(order, state) ?? state);

            case SagaAction.WaitForReceipt:
                return (Now >= next.WakeAt ? order.AutoComplete(Now) : null, state);

            default:
                return (null, state);
        }
    }

    private async Task<(OrderTransition? Transition, OrderState State)> ReserveAsync(Order order, OrderState state)
    {
        if (state.IsPrize)
        {
            return (order.StockReserved(Now), state);
        }

        // A points-only order has nothing to wait for once paid in points, so its reservation is a sale at once and
        // its commit step needs no second call to the (hot) product. Deterministic from the recorded order, so a
        // resumed saga asks the same way.
        var final = order.CashTotalFen == 0;
        var reservation = await product
            .ReserveAsync(new ReserveStock(order.Id, order.MemberId, state.MemberTier, order.Quantity, final, order.CreatedAt))
            ;
        if (reservation.Refusal is { } notReserved)
        {
            var refusal = ToRefusal(notReserved);
            return (order.StockRefused(refusal, Now), state with { PlaceRefusal = refusal });
        }

        // The product as reserved is the order's snapshot: its price, and the limit the member checks with the spend.
        var reserved = state with { StockFinal = final, PurchaseLimit = reservation.Product?.EffectivePerMemberLimit ?? state.PurchaseLimit };
        return (WithPriceSnapshot(order, reservation.Product).StockReserved(Now), reserved);
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

    private static string NewCode()
    {
        // 16 characters from an alphabet without look-alikes (no 0/O, 1/I), in groups of four.
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 16);
        return string.Join('-', chars.Chunk(4).Select(c => new string(c)));
    }
}
