using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Payments;

namespace PointsMall.Grains.Orders;

/// <summary>
/// What a payment callback does: the paid order to record (if any), the problem to answer with, and the state
/// with the payment session the callback was checked against.
/// </summary>
internal sealed record PaymentConfirmation(Order? Paid, Problem? Problem, OrderState State);

/// <summary>
/// The cash part of a points + cash order at the payment provider: the payment session, the callback's
/// confirmation and the refunds. Returns values; the grain assigns and records them.
/// </summary>
internal sealed class OrderPayments(IPaymentProvider payments, TimeProvider time, ILogger logger)
{
    /// <summary>Creates the provider's payment for the cash part when the order has none yet; the new state when it made one.</summary>
    public async Task<OrderState?> EnsureAsync(Order order, OrderState state)
    {
        if (state.Payment is not null)
        {
            return null;
        }

        var session = await payments.CreatePaymentAsync(order.Id, order.CashTotalFen, order.PaymentDeadline!.Value);
        return state with { Payment = session };
    }

    /// <summary>
    /// Checks a verified callback against the order and its payment session. A payment for the session that
    /// arrives after the deadline or a cancellation is refunded here, since its goods are back in stock.
    /// </summary>
    public async Task<PaymentConfirmation> ConfirmAsync(Order order, OrderState state, ConfirmPayment command)
    {
        // The session is made when the saga starts waiting; an activation reloaded since then makes it again
        // (same reference: the provider derives it from the order id) before checking the callback against it.
        if (order.Step == SagaStep.AwaitingPayment)
        {
            state = await EnsureAsync(order, state) ?? state;
        }

        var payment = state.Payment;
        var transition = order.PaymentConfirmed(command.PaymentReference, command.AmountFen, time.GetUtcNow());
        if (transition.Refusal is { } refusal)
        {
            if (order.Step is SagaStep.Compensating or SagaStep.Cancelled && payment?.Reference == command.PaymentReference)
            {
                // Paid after the deadline or a cancellation: the goods are gone back to stock, so the money goes back.
                await payments.RefundAsync(order.Id, command.PaymentReference, command.AmountFen);
                OrderLog.LatePaymentRefunded(logger, order.Id, command.PaymentReference);
            }

            return new PaymentConfirmation(null, Problem.From(refusal), state);
        }

        if (transition.Replayed)
        {
            return new PaymentConfirmation(null, null, state);
        }

        if (payment?.Reference != command.PaymentReference)
        {
            return new PaymentConfirmation(null, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "unknown_payment_reference"), state);
        }

        return new PaymentConfirmation(transition.Order, null, state);
    }

    /// <summary>Gives the cash part back (compensation); the provider refunds once per order id, so a repeated step is harmless.</summary>
    public Task RefundCashAsync(Order order) => payments.RefundAsync(order.Id, order.PaymentReference!, order.CashTotalFen);
}
