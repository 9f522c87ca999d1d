using System.IO.Hashing;
using System.Text;

namespace PointsMall.Api.Orders.Logistics;

/// <summary>
/// A logistics provider for trying the mall out: every parcel travels the same route on the same timetable from the
/// moment it ships (handed over at once, picked up after 1 h, at a sorting hub after 6 h, at the destination city
/// after 20 h, out for delivery after 26 h, delivered after 30 h), so a member sees tracking move and a test can
/// drive it with its clock. The hub is chosen from the tracking number, the city from the shipping address.
/// </summary>
public sealed class SandboxCarrier(TimeProvider time) : ILogisticsProvider
{
    private static readonly string[] Hubs = ["上海转运中心 Shanghai hub", "广州转运中心 Guangzhou hub", "武汉转运中心 Wuhan hub", "北京转运中心 Beijing hub"];

    private static readonly (TimeSpan After, string Status, string Description)[] Timetable =
    [
        (TimeSpan.Zero, "shipped", "商家已发货，等待揽收 Handed to the carrier"),
        (TimeSpan.FromHours(1), "picked_up", "快递员已揽收 Picked up"),
        (TimeSpan.FromHours(6), "in_transit", "到达转运中心 At the sorting hub"),
        (TimeSpan.FromHours(20), "arrived", "到达目的地城市 At the destination city"),
        (TimeSpan.FromHours(26), "out_for_delivery", "派送中 Out for delivery"),
        (TimeSpan.FromHours(30), "delivered", "已签收 Delivered"),
    ];

    public IReadOnlyList<Carrier> Carriers { get; } =
    [
        new("SF", "顺丰速运 SF Express"),
        new("YTO", "圆通速递 YTO Express"),
        new("ZTO", "中通快递 ZTO Express"),
        new("JD", "京东物流 JD Logistics"),
        new("EMS", "中国邮政 EMS"),
    ];

    public Task<Tracking?> TrackAsync(TrackingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var carrier = Carriers.FirstOrDefault(c => string.Equals(c.Code, query.Carrier, StringComparison.OrdinalIgnoreCase));
        if (carrier is null)
        {
            return Task.FromResult<Tracking?>(null);
        }

        var now = time.GetUtcNow();
        var hub = Hubs[XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(query.TrackingNumber)) % (uint)Hubs.Length];
        var city = CityOf(query.DestinationRegion);
        var events = Timetable
            .Where(t => query.ShippedAt + t.After <= now)
            .Select(t => new TrackingEvent(query.ShippedAt + t.After, t.Status, t.Status switch
            {
                "shipped" or "picked_up" => "深圳仓 Shenzhen warehouse",
                "in_transit" => hub,
                _ => city,
            }, t.Description))
            .ToList();
        var status = events.Count > 0 ? events[^1].Status : "shipped";
        return Task.FromResult<Tracking?>(new Tracking(carrier.Code, query.TrackingNumber, status, status == "delivered", events));
    }

    /// <summary>The city of a "province city district" region; the province where there is no city part.</summary>
    private static string CityOf(string? region)
    {
        var parts = (region ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            0 => "目的地 Destination",
            1 => parts[0],
            _ => parts[1],
        };
    }
}
