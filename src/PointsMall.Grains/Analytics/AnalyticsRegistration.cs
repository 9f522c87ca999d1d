using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Analytics;

public static class AnalyticsRegistration
{
    /// <summary>The subscription's name keys its durable checkpoint: never rename it.</summary>
    public const string Subscription = "analytics";

    /// <summary>
    /// The analytics' options (<c>Analytics:*</c>) and the outbox feed of the day grains and the points liability: a
    /// page at a time, one call per day in it and one to the liability.
    /// </summary>
    public static ISiloBuilder AddAnalyticsGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section);
        return silo.AddOutboxBatchSubscription(Subscription, AnalyticsStreams.Namespace, (services, events, _) =>
        {
            var grains = services.GetRequiredService<IGrainFactory>();
            var zone = services.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Zone;
            var recorded = events.Select(Read).OfType<(DateTimeOffset At, RecordedActivity Activity)>().ToList();
            var lots = recorded.Select(r => r.Activity).Where(a => a.Points?.Lots is { Count: > 0 }).ToList();
            return Task.WhenAll(recorded.GroupBy(r => AnalyticsDays.Key(r.At, zone))
                .Select(day => grains.GetGrain<IAnalyticsDayGrain>(day.Key).RecordAsync([.. day.Select(r => r.Activity)]))
                .Append(lots.Count == 0 ? Task.CompletedTask : grains.GetGrain<IPointsLiabilityGrain>(IPointsLiabilityGrain.Key).RecordAsync(lots)));
        });
    }

    private static (DateTimeOffset At, RecordedActivity Activity)? Read(StreamEvent e)
    {
        if (e.Is<OrderActivity>())
        {
            var order = e.Deserialize<OrderActivity>();
            return (order.At, new RecordedActivity(e.Sequence, order, null));
        }

        if (e.Is<PointsActivity>())
        {
            var points = e.Deserialize<PointsActivity>();
            return (points.At, new RecordedActivity(e.Sequence, null, points));
        }

        if (e.Is<MemberJoined>())
        {
            var joined = e.Deserialize<MemberJoined>();
            return (joined.At, new RecordedActivity(e.Sequence, null, null, joined));
        }

        return null;
    }
}
