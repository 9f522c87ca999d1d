using System.Collections.Immutable;
using Orleans.Concurrency;
using PointsMall.Contracts.Analytics;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Analytics;

/// <summary>A product's counters for one day.</summary>
public sealed record ProductDay(string Name, string Category, long Views, long Redemptions, long Units, long Points);

public sealed record AnalyticsDayState
{
    public DayCounters Counters { get; init; } = new();

    public ImmutableDictionary<string, long> EarnedBySource { get; init; } = ImmutableDictionary<string, long>.Empty;

    public ImmutableDictionary<string, long> SpentBySource { get; init; } = ImmutableDictionary<string, long>.Empty;

    public ImmutableDictionary<string, long> CancellationsByReason { get; init; } = ImmutableDictionary<string, long>.Empty;

    public ImmutableDictionary<string, long> RedemptionsByCategory { get; init; } = ImmutableDictionary<string, long>.Empty;

    public ImmutableDictionary<string, ProductDay> Products { get; init; } = ImmutableDictionary<string, ProductDay>.Empty;

    public ImmutableDictionary<string, long> Searches { get; init; } = ImmutableDictionary<string, long>.Empty;

    public ImmutableDictionary<string, long> SearchesWithoutResults { get; init; } = ImmutableDictionary<string, long>.Empty;

    /// <summary>The distinct members seen (<see cref="DistinctCount"/>).</summary>
    public ImmutableArray<byte> Members { get; init; } = DistinctCount.Empty;

    /// <summary>The outbox positions counted lately, oldest first, so an event delivered twice counts once.</summary>
    public ImmutableQueue<long> RecentSequences { get; init; } = [];
}

public sealed record DayCounters(
    long Logins = 0, long ProductViews = 0, long Searches = 0, long SearchesWithoutResults = 0, long Redemptions = 0, long Units = 0,
    long PointsRedeemed = 0, long CashFen = 0, long Cancellations = 0, long PointsEarned = 0, long PointsSpent = 0, long PointsRefunded = 0,
    long PointsExpired = 0);

// Design note — one grain per local day, fed three ways.
// Orders and members publish their changes to the outbox in the commits that make them; one subscription hands
// them over a page at a time (AnalyticsRegistration); the API nodes report sign-ins, product views and searches every few seconds. So nothing here is on a
// shopper's path: the drop's grains only add an outbox row to a write they make anyway. Delivery is at least once,
// but a crash redelivers at most the page in progress, so the last few thousand outbox positions are remembered and
// a repeat is ignored. The grain is [Reentrant] and every method changes its state without awaiting, so a page from
// the outbox and a report from an API node arriving together share one write (see IPipelinedState).
[Reentrant]
[GrainType("analytics-day")]
public sealed class AnalyticsDayGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<AnalyticsDayState> state) : MallGrain, IAnalyticsDayGrain
{
    /// <summary>Outbox positions remembered: many pages of redelivery.</summary>
    public const int RememberedSequences = 4096;

    /// <summary>Distinct search terms kept per day: beyond it, the terms searched once are dropped.</summary>
    public const int MaxSearchTerms = 500;

    private HashSet<long>? _recent;

    public Task RecordAsync(IReadOnlyList<RecordedActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        foreach (var recorded in activity)
        {
            if (Seen(recorded.Sequence))
            {
                continue;
            }

            if (recorded.Order is { } order)
            {
                state.State = DayRules.Apply(state.State, order);
            }
            else if (recorded.Points is { } points)
            {
                state.State = DayRules.Apply(state.State, points);
            }
        }

        return Task.CompletedTask;
    }

    public Task RecordShopperActivityAsync(IReadOnlyList<ShopperActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var s = state.State;
        foreach (var a in activity)
        {
            s = DayRules.Apply(s, a);
            if (a.MemberId is { } member)
            {
                s = s with { Members = DistinctCount.Add(s.Members, member) };
            }
        }

        state.State = s;
        return Task.CompletedTask;
    }

    public Task<DayFigures> GetAsync() => Task.FromResult(DayRules.Figures(GrainKey, state.State));

    /// <summary>
    /// Whether the outbox position was counted already; if not, it is remembered now. The lookup set is derived from
    /// the stored queue (built once per activation), so the state holds each position once.
    /// </summary>
    private bool Seen(long sequence)
    {
        _recent ??= [.. state.State.RecentSequences];
        if (!_recent.Add(sequence))
        {
            return true;
        }

        var queue = state.State.RecentSequences.Enqueue(sequence);
        if (_recent.Count > RememberedSequences)
        {
            queue = queue.Dequeue(out var oldest);
            _recent.Remove(oldest);
        }

        state.State = state.State with { RecentSequences = queue };
        return false;
    }
}
