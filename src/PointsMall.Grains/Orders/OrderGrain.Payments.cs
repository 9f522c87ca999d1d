using PointsMall.Contracts.Common;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>The cash part of a points + cash order: its payment session, and the provider's confirmation.</summary>
public sealed partial class OrderGrain
{
    public async Task<OrderResult> ConfirmPaymentAsync(ConfirmPayment command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Order is not { } order)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        var confirmed = await _payments.ConfirmAsync(order, state.State, command);
        state.State = confirmed.State;
        if (confirmed.Paid is { } paid)
        {
            await RecordAsync(paid);
            await RunSagaAsync();
        }

        return new OrderResult(View(), confirmed.Problem);
    }

    public async Task<OrderResult> StartPaymentAsync(string memberId)
    {
        if (state.State.Order is not { } order || order.MemberId != memberId)
        {
            return OrderViews.Refused(new Refusal(RefusalCode.NotFound, "order_not_found"));
        }

        if (order.Step != SagaStep.AwaitingPayment)
        {
            return new OrderResult(View(), new Problem(RefusalCodes.Name(RefusalCode.Conflict), "not_awaiting_payment"));
        }

        if (Now >= order.PaymentDeadline)
        {
            // The deadline passed and the reminder has not run yet: time the order out now rather than take money.
            await RunSagaAsync();
            return new OrderResult(View(), new Problem(RefusalCodes.Name(RefusalCode.Conflict), "payment_timeout"));
        }

        if (await _payments.EnsureAsync(order, state.State) is { } withPayment)
        {
            state.State = withPayment;
            await state.CommitAsync();
        }

        return new OrderResult(View(), null);
    }
}
