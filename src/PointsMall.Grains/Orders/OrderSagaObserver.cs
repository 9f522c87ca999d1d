using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>
/// Told after each saga step of an order is durable. The default does nothing; the crash host uses it to kill
/// its process exactly between two steps, and tests use it as the signal that a reminder-driven step happened.
/// </summary>
public interface IOrderSagaObserver
{
    /// <summary>Called inside the order's turn, after the state holding <paramref name="recorded"/> is durable.</summary>
    void OnStepDurable(string orderId, SagaStep recorded);
}

/// <summary>The default observer: nothing to do.</summary>
public sealed class NullOrderSagaObserver : IOrderSagaObserver
{
    public void OnStepDurable(string orderId, SagaStep recorded)
    {
    }
}

/// <summary>Settings of the order saga (configuration section <c>Orders</c>).</summary>
public sealed class OrderSagaOptions
{
    /// <summary>
    /// When an interrupted saga step is retried: the resume reminder is set this far ahead with the first step
    /// and removed when the saga rests, so it fires only if the process died (or a call failed) in between.
    /// </summary>
    public TimeSpan ResumeAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Time to pay the cash part of a points + cash order.</summary>
    public TimeSpan PaymentWindow { get; set; } = OrderPolicy.Default.PaymentWindow;

    /// <summary>A shipped order completes by itself this long after shipment.</summary>
    public TimeSpan AutoCompleteAfter { get; set; } = OrderPolicy.Default.AutoCompleteAfter;
}
