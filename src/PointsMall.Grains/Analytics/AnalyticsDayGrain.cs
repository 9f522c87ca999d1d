using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PointsMall.Contracts.Analytics;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Analytics;

/// <summary>A product's counters for one day.</summary>
public sealed record ProductDay(string Name, string Category, long Views, long Redemptions, long Units, long Points);

/// <summary>A product's redemption attempts for one day, summed over the API nodes' reports.</summary>
public sealed record DropDay(
    long Attempts, long Granted, ImmutableDictionary<string, long> Refusals, DateTimeOffset FirstAttemptAt, DateTimeOffset? LastGrantAt,
    DateTimeOffset? SoldOutAt, long GrantedOutOfOrder);

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

    /// <summary>The distinct members active this day by the days since they joined (only <see cref="Retention.Days"/>).</summary>
    public ImmutableDictionary<int, ImmutableArray<byte>> Returned { get; init; } = ImmutableDictionary<int, ImmutableArray<byte>>.Empty;

    /// <summary>Redemption attempts per product (products that exist: a refusal for an unknown id is not kept).</summary>
    public ImmutableDictionary<string, DropDay> Drops { get; init; } = ImmutableDictionary<string, DropDay>.Empty;

    /// <summary>The outbox positions counted lately, oldest first (<see cref="RecentPositions"/>).</summary>
    public ImmutableQueue<long> RecentSequences { get; init; } = [];
}

public sealed record DayCounters(
    long Logins = 0, long ProductViews = 0, long Searches = 0, long SearchesWithoutResults = 0, long Redemptions = 0, long Units = 0,
    long PointsRedeemed = 0, long CashFen = 0, long Cancellations = 0, long PointsEarned = 0, long PointsSpent = 0, long PointsRefunded = 0,
    long PointsExpired = 0, long NewMembers = 0);

// Design note — one grain per local day, fed three ways.
// Orders and members publish their changes to the outbox in the commits that make them; one subscription hands
// them over a page at a time (AnalyticsRegistration); the API nodes report sign-ins, product views and searches every few seconds. So nothing here is on a
// shopper's path: the drop's grains only add an outbox row to a write they make anyway. Delivery is at least once,
// but a crash redelivers at most the page in progress, so the last few thousand outbox positions are remembered and
// a repeat is ignored. The grain is [Reentrant] and every method changes its state without awaiting, so a page from
// the outbox and a report from an API node arriving together share one write (see IPipelinedState).
// Retention: a member's activity carries when the member joined, so the day of activity counts the member under
// "joined N days ago" (N in Retention.Days); the cohort of day X reads its D7 from day X + 7 and its size from day X.
[Reentrant]
[GrainType("analytics-day")]
public sealed class AnalyticsDayGrain(
    [PipelinedState("state", GrainStorage.Name)] IPipelinedState<AnalyticsDayState> state, IOptions<AnalyticsOptions> options) : MallGrain, IAnalyticsDayGrain
{
    /// <summary>Outbox positions remembered: many pages of redelivery.</summary>
    public const int RememberedSequences = 4096;

    /// <summary>Distinct search terms kept per day: beyond it, the terms searched once are dropped.</summary>
    public const int MaxSearchTerms = 500;

    private readonly RecentPositions _positions = new(RememberedSequences);

    private readonly TimeZoneInfo _zone = options.Value.Zone;

    private DateOnly Day => DateOnly.ParseExact(GrainKey, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public Task RecordAsync(IReadOnlyList<RecordedActivity> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        foreach (var recorded in activity)
        {
            if (_positions.Remember(state.State.RecentSequences, recorded.Sequence) is not { } remembered)
            {
                continue;
            }

            var s = state.State with { RecentSequences = remembered };
            state.State = recorded switch
            {
                { Order: { } order } => DayRules.Apply(s, order),
                { Points: { } points } => Returned(DayRules.Apply(s, points), points.MemberId, points.MemberSince),
                { Joined: { } joined } => DayRules.Apply(s, joined),
                _ => s,
            };
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
                s = Returned(s with { Members = DistinctCount.Add(s.Members, member) }, member, a.MemberSince);
            }
        }

        state.State = s;
        return Task.CompletedTask;
    }

    public Task RecordDropsAsync(IReadOnlyList<DropTally> drops)
    {
        ArgumentNullException.ThrowIfNull(drops);
        state.State = drops.Aggregate(state.State, DayRules.Apply);
        return Task.CompletedTask;
    }

    public Task<DayFigures> GetAsync() => Task.FromResult(DayRules.Figures(GrainKey, state.State));

    /// <summary>Counts the member's activity under the days since the member joined (local days).</summary>
    private AnalyticsDayState Returned(AnalyticsDayState s, string memberId, DateTimeOffset? memberSince)
        => memberSince is { } since
            ? DayRules.Returned(s, memberId, Day.DayNumber - AnalyticsDays.Date(since, _zone).DayNumber)
            : s;
}
