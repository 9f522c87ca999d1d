using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PointsMall.Contracts.Analytics;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Analytics;

public sealed record PointsLiabilityState
{
    /// <summary>Points by the last local day they count (<c>yyyy-MM-dd</c>); a day that reaches 0 is removed.</summary>
    public ImmutableDictionary<string, long> ByLastDay { get; init; } = ImmutableDictionary<string, long>.Empty;

    public long NeverExpiring { get; init; }

    /// <summary>The outbox positions counted lately (<see cref="RecentPositions"/>).</summary>
    public ImmutableQueue<long> RecentSequences { get; init; } = [];
}

// Design note — the mall's debt in points, by expiry day.
// Every ledger entry says which lots it touched; the member publishes those as (expiry, ±points) in the commit that
// writes the entry, and the outbox hands them here a page at a time. Keeping points by the last day they count makes
// "outstanding", "expiring within 30/60/90 days" and "past expiry, not yet recorded" simple sums over a few hundred
// days, read at any time without visiting a member. A lot's day is the local date of the instant before it expires
// (a lot that ends at midnight counts through the day before). Like the day grains, it is [Reentrant] and never
// awaits inside a method, so pages and reads share its writes.
[Reentrant]
[GrainType("points-liability")]
public sealed class PointsLiabilityGrain(
    [PipelinedState("state", GrainStorage.Name)] IPipelinedState<PointsLiabilityState> state,
    IOptions<AnalyticsOptions> options,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time) : MallGrain, IPointsLiabilityGrain
{
    private readonly RecentPositions _positions = new(AnalyticsDayGrain.RememberedSequences);

    private readonly TimeZoneInfo _zone = options.Value.Zone;

    public Task RecordAsync(IReadOnlyList<RecordedActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        foreach (var recorded in activity)
        {
            if (recorded.Points?.Lots is not { Count: > 0 } lots || _positions.Remember(state.State.RecentSequences, recorded.Sequence) is not { } remembered)
            {
                continue;
            }

            state.State = lots.Aggregate(state.State with { RecentSequences = remembered }, Apply);
        }

        return Task.CompletedTask;
    }

    public Task<PointsLiability> GetAsync()
    {
        var now = time.GetUtcNow();
        var today = AnalyticsDays.Date(now, _zone);
        long outstanding = state.State.NeverExpiring, within30 = 0, within60 = 0, within90 = 0, awaiting = 0;
        foreach (var (key, points) in state.State.ByLastDay)
        {
            var daysLeft = DateOnly.ParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - today.DayNumber;
            if (daysLeft < 0)
            {
                awaiting += points;
                continue;
            }

            outstanding += points;
            within30 += daysLeft < 30 ? points : 0;
            within60 += daysLeft < 60 ? points : 0;
            within90 += daysLeft < 90 ? points : 0;
        }

        return Task.FromResult(new PointsLiability(outstanding, within30, within60, within90, state.State.NeverExpiring, awaiting, now));
    }

    private PointsLiabilityState Apply(PointsLiabilityState s, LotChange change)
    {
        if (change.ExpiresAt is not { } expiresAt)
        {
            return s with { NeverExpiring = s.NeverExpiring + change.Amount };
        }

        var day = AnalyticsDays.Key(expiresAt.AddTicks(-1), _zone);
        var points = s.ByLastDay.GetValueOrDefault(day) + change.Amount;
        return s with { ByLastDay = points == 0 ? s.ByLastDay.Remove(day) : s.ByLastDay.SetItem(day, points) };
    }
}
