using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Contracts.Orders;

namespace PointsMall.Grains.Orders;

public static class OrdersRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string OrderBoardSubscription = "order-board";

    /// <summary>
    /// The order saga and the per-member order lists, the sandbox payment provider (replace
    /// <see cref="IPaymentProvider"/> for a real one) and a no-op <see cref="IOrderSagaObserver"/>.
    /// </summary>
    public static SiloBuilder AddOrderGrains(this SiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddOptions<OrderSagaOptions>();
        silo.Services.AddOptions<PaymentOptions>();
        silo.Services.TryAddSingleton<SandboxPaymentProvider>();
        silo.Services.TryAddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<SandboxPaymentProvider>());
        silo.Services.TryAddSingleton<IOrderSagaObserver, NullOrderSagaObserver>();
        return silo
            .AddGrain<IOrderGrain, OrderGrain>()
            .AddGrain<IMemberOrdersGrain, MemberOrdersGrain>()
            .AddGrain<IOrderBoardGrain, OrderBoardGrain>()
            .AddStreamSubscription(OrderBoardSubscription, OrderKeys.OrderStream, (services, e, _) =>
                e.Is<OrderChanged>()
                    ? services.GetRequiredService<IGrainFactory>().GetGrain<IOrderBoardGrain>(OrderKeys.Board).UpsertAsync(e.Deserialize<OrderChanged>().Summary)
                    : Task.CompletedTask);
    }
}
