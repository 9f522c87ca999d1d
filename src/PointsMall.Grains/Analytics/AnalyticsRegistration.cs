using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Analytics;

public static class AnalyticsRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string OrdersSubscription = "analytics-orders";

    public const string PointsSubscription = "analytics-points";

    /// <summary>The analytics' options (<c>Analytics:*</c>) and the outbox feeds of the day grains.</summary>
    public static ISiloBuilder AddAnalyticsGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section);
        return silo
            .AddOutboxSubscription(OrdersSubscription, AnalyticsStreams.Orders, (services, e, _) =>
            {
                if (!e.Is<OrderActivity>())
                {
                    return Task.CompletedTask;
                }

                var order = e.Deserialize<OrderActivity>();
                return DayOf(services, order.At).RecordOrderAsync(e.Sequence, order);
            })
            .AddOutboxSubscription(PointsSubscription, AnalyticsStreams.Points, (services, e, _) =>
            {
                if (!e.Is<PointsActivity>())
                {
                    return Task.CompletedTask;
                }

                var points = e.Deserialize<PointsActivity>();
                return DayOf(services, points.At).RecordPointsAsync(e.Sequence, points);
            });
    }

    private static IAnalyticsDayGrain DayOf(IServiceProvider services, DateTimeOffset at)
        => services.GetRequiredService<IGrainFactory>().GetGrain<IAnalyticsDayGrain>(
            AnalyticsDays.Key(at, services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Zone));
}
