using System.Diagnostics;
using PointsMall.Domain.Orders;
using PointsMall.Grains.Orders;

namespace PointsMall.Grains.CrashHost;

/// <summary>
/// Kills the process (SIGKILL: no shutdown, no flush) the moment order <paramref name="targetOrderId"/> has durably
/// recorded <paramref name="killAt"/>, i.e. between that step and the saga's next call to another grain.
/// </summary>
internal sealed class KillingSagaObserver(string targetOrderId, SagaStep killAt, TextWriter output) : IOrderSagaObserver
{
    public void OnStepDurable(string orderId, SagaStep recorded)
    {
        if (orderId == targetOrderId && recorded == killAt)
        {
            output.WriteLine($"killing {orderId} {recorded}");
            output.Flush();
            Process.GetCurrentProcess().Kill();
        }
    }
}
