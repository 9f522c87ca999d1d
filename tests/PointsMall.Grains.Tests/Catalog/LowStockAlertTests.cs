using PointsMall.Contracts.Catalog;
using PointsMall.Grains.Catalog;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Catalog.CatalogTestData;

namespace PointsMall.Grains.Tests.Catalog;

public sealed class LowStockAlertTests
{
    private readonly StreamProbe<LowStockAlertsChanged> _alertChanges = new();
    private readonly StreamProbe<string> _stockEvents = new();

    [Fact]
    public async Task A_low_stock_alert_is_raised_once_per_crossing_shown_in_the_alerts_and_cleared_by_a_restock_above_the_threshold()
    {
        await using var silo = await StartAsync();
        var alerts = silo.Grain<ILowStockAlertsGrain>(CatalogKeys.All);
        var product = await CreateAsync(silo, Product("low"), stock: 5, lowStockThreshold: 2);

        // Down to the threshold (5 → 2): one crossing. Further down to 0: still the same crossing.
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await product.ReserveAsync(Reserve($"o-{i}", $"m-{i}"))).Succeeded);
        }

        await _alertChanges.WaitForAsync(c => c.Count >= 1, "the alert for 'low' to open");
        var open = Assert.Single(await alerts.ListAsync());
        Assert.Equal(("low", 2L, 2L), (open.ProductId, open.Available, open.Threshold));

        // A restock above the threshold clears it, through the stream, not by a call from the product grain.
        await product.RestockAsync(new Restock("r-1", 10));
        await _alertChanges.WaitForAsync(c => c.Count >= 2, "the alert for 'low' to clear");
        Assert.False(_alertChanges.Seen[1].Open);
        Assert.Empty(await alerts.ListAsync());

        // Down again (10 → 2): a second crossing, a second alert.
        for (var i = 5; i < 13; i++)
        {
            Assert.True((await product.ReserveAsync(Reserve($"o-{i}", $"m-{i}"))).Succeeded);
        }

        await _alertChanges.WaitForAsync(c => c.Count >= 3, "the alert for 'low' to open again");
        Assert.Single(await alerts.ListAsync());

        // Per stream, events arrive in order: once the second raise is seen, everything before it has been too.
        await _stockEvents.WaitForAsync(e => e.Count(x => x == "raised") >= 2, "the second raise on the stock stream");
        Assert.Equal(["raised", "cleared", "raised"], _stockEvents.Seen);
    }

    [Fact]
    public async Task A_release_that_lifts_stock_above_the_threshold_also_clears_the_alert()
    {
        await using var silo = await StartAsync();
        var product = await CreateAsync(silo, Product("rel"), stock: 3, lowStockThreshold: 1);
        await product.ReserveAsync(Reserve("o-1", "m-1", quantity: 2));
        await _alertChanges.WaitForAsync(c => c.Count >= 1, "the alert for 'rel' to open");

        await product.ReleaseAsync(new ReleaseStock("o-1"));

        await _alertChanges.WaitForAsync(c => c.Count >= 2, "the alert for 'rel' to clear");
        Assert.Empty(await silo.Grain<ILowStockAlertsGrain>(CatalogKeys.All).ListAsync());
    }

    [Fact]
    public async Task Raising_and_clearing_are_idempotent_so_redelivery_changes_nothing()
    {
        await using var silo = await StartAsync();
        var alerts = silo.Grain<ILowStockAlertsGrain>(CatalogKeys.All);
        var alert = new LowStockRaised("p-1", 1, 2, silo.Time.GetUtcNow());

        await alerts.RaiseAsync(alert);
        await alerts.RaiseAsync(alert);
        await alerts.ClearAsync("p-2");

        Assert.Equal([alert], await alerts.ListAsync());
        await alerts.ClearAsync("p-1");
        await alerts.ClearAsync("p-1");
        Assert.Empty(await alerts.ListAsync());

        await _alertChanges.WaitForAsync(c => c.Count >= 2, "one open and one close");
        await alerts.RaiseAsync(alert with { ProductId = "p-3" });
        await _alertChanges.WaitForAsync(c => c.Count >= 3, "the third change");
        Assert.Equal([true, false, true], _alertChanges.Seen.Select(c => c.Open));
    }

    private Task<GrainsSilo> StartAsync() => GrainsSilo.StartAsync(configure: b =>
    {
        _alertChanges.Subscribe(b, CatalogStreams.AlertsStream);
        _stockEvents.Subscribe(b, CatalogKeys.StockStream, e =>
            e.Is<LowStockRaised>() ? "raised" : e.Is<LowStockCleared>() ? "cleared" : null);
    });
}
