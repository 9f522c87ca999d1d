using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Stock;

namespace PointsMall.Grains.Catalog;

/// <summary>
/// What the catalogue hears of a product's stock: its band (normal, low, out) and a summary. A product publishes
/// only when the band changes, never per reservation, so the catalogue index never becomes a drop's hottest grain.
/// </summary>
internal static class StockBands
{
    public enum Band
    {
        Normal,
        Low,
        Out,
    }

    public static Band Of(StockUnit stock)
        => stock.Available == 0 ? Band.Out : stock.Available <= stock.LowStockThreshold ? Band.Low : Band.Normal;

    public static ProductSummary Summary(Product product, StockUnit stock, DateTimeOffset at)
        => ProductSummary.Of(product, stock.OnShelf, stock.Available, at);
}
