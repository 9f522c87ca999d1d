using PointsMall.GroupCommit;
using PointsMall.Contracts.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace PointsMall.Grains.Catalog;

public static class CatalogRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string CatalogIndexSubscription = "catalog-index";

    public const string LowStockAlertsSubscription = "low-stock-alerts";

    public static ISiloBuilder AddCatalogGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo
            .AddOutboxSubscription(CatalogIndexSubscription, CatalogKeys.ProductStream, (services, e, _) =>
                e.Is<ProductChanged>()
                    ? services.GetRequiredService<IGrainFactory>().GetGrain<ICatalogGrain>(CatalogKeys.All).UpsertAsync(e.Deserialize<ProductChanged>().Summary)
                    : Task.CompletedTask)
            .AddOutboxSubscription(LowStockAlertsSubscription, CatalogKeys.StockStream, (services, e, _) =>
            {
                var alerts = services.GetRequiredService<IGrainFactory>().GetGrain<ILowStockAlertsGrain>(CatalogKeys.All);
                if (e.Is<LowStockRaised>())
                {
                    return alerts.RaiseAsync(e.Deserialize<LowStockRaised>());
                }

                return e.Is<LowStockCleared>() ? alerts.ClearAsync(e.Deserialize<LowStockCleared>().ProductId) : Task.CompletedTask;
            });
    }
}
