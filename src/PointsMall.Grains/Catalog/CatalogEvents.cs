namespace PointsMall.Grains.Catalog;

/// <summary>
/// Event on stream (<c>stock</c>, product id) when available stock rises back above the low-stock threshold
/// after an alert (restock or release). It travels on the same stream as <see cref="Contracts.Catalog.LowStockRaised"/>,
/// so the alerts subscription sees raise and clear in the order they happened.
/// </summary>
/// <remarks>Belongs in the contracts next to <c>LowStockRaised</c>; it lives here until the contracts owner moves it.</remarks>
public sealed record LowStockCleared(string ProductId, long Available, long Threshold, DateTimeOffset At);

/// <summary>
/// Event on stream (<c>stock-alerts</c>, <c>all</c>) each time the set of open low-stock alerts changes, so an
/// operator console can refresh its alert list without polling. Published only on a real change, so a
/// redelivered raise or clear does not announce anything twice.
/// </summary>
public sealed record LowStockAlertsChanged(string ProductId, bool Open, DateTimeOffset At);

public static class CatalogStreams
{
    /// <summary>The stream namespace of <see cref="LowStockAlertsChanged"/> (key <c>all</c>).</summary>
    public const string AlertsStream = "stock-alerts";
}
