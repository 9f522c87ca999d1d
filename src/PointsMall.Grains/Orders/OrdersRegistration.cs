using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PointsMall.Payments;

namespace PointsMall.Grains.Orders;

public static class OrdersRegistration
{
    /// <summary>
    /// The order saga, the order board and the per-member order lists (both read the order index), the sandbox payment provider (replace
    /// <see cref="IPaymentProvider"/> for a real one) and a no-op <see cref="IOrderSagaObserver"/>.
    /// </summary>
    public static ISiloBuilder AddOrderGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddOptions<OrderSagaOptions>();
        silo.Services.AddSandboxPayments();
        silo.Services.TryAddSingleton<IOrderSagaObserver, NullOrderSagaObserver>();
        return silo;
    }
}
