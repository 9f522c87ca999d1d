using Microsoft.Extensions.Time.Testing;
using PointsMall.Api.Orders.Logistics;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

public sealed class SandboxCarrierTests
{
    private static readonly DateTimeOffset Shipped = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_parcel_moves_along_its_timetable_with_the_clock_to_the_destination_city()
    {
        var clock = new FakeTimeProvider(Shipped);
        var carrier = new SandboxCarrier(clock);
        var query = new TrackingQuery("sf", "SF1000001", Shipped, "广东省 深圳市 南山区");

        var handedOver = (await carrier.TrackAsync(query, CancellationToken.None))!;
        clock.Advance(TimeSpan.FromHours(7));
        var atHub = (await carrier.TrackAsync(query, CancellationToken.None))!;
        clock.Advance(TimeSpan.FromHours(30));
        var delivered = (await carrier.TrackAsync(query, CancellationToken.None))!;

        Assert.Equal(("SF", "shipped", false), (handedOver.Carrier, handedOver.Status, handedOver.Delivered));
        Assert.Equal(["shipped", "picked_up", "in_transit"], atHub.Events.Select(e => e.Status));
        Assert.EndsWith("hub", atHub.Events[^1].Location, StringComparison.Ordinal);
        Assert.Equal(("delivered", true, "深圳市"), (delivered.Status, delivered.Delivered, delivered.Events[^1].Location));
        Assert.Equal(delivered.Events.OrderBy(e => e.At), delivered.Events);
        Assert.Equal(Shipped.AddHours(30), delivered.Events[^1].At);
    }

    [Fact]
    public async Task The_same_parcel_always_passes_the_same_hub_and_an_unknown_carrier_is_not_tracked()
    {
        var carrier = new SandboxCarrier(new FakeTimeProvider(Shipped.AddDays(2)));
        var query = new TrackingQuery("YTO", "YT42", Shipped, null);

        var first = (await carrier.TrackAsync(query, CancellationToken.None))!;
        var again = (await carrier.TrackAsync(query, CancellationToken.None))!;

        Assert.Equal(first.Events.Select(e => e.Location), again.Events.Select(e => e.Location));
        Assert.Null(await carrier.TrackAsync(query with { Carrier = "Pigeon post" }, CancellationToken.None));
    }
}
