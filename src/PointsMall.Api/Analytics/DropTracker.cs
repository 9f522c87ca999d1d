using PointsMall.Contracts.Analytics;
using PointsMall.Domain.Common;

namespace PointsMall.Api.Analytics;

/// <summary>When a redemption reached this API node: its place in the node's arrival order, and the time.</summary>
public readonly record struct DropArrival(long Ticket, DateTimeOffset At);

// Design note — was a drop granted in arrival order?
// Each request takes a ticket when it reaches the node (a counter, so the order is exact where a clock is not). A unit
// is "out of order" when it went to a request that arrived after one that was refused sold_out. Responses complete in
// any order, so both sides are checked: a grant is counted at once if an earlier-arriving refusal is known, and a
// refusal that turns out to have arrived earlier than the first known one counts the grants it now precedes (the last
// few thousand grants' tickets are kept for that). Units returned by cancelled orders and granted again count too:
// the figure says what shoppers saw, not why.
/// <summary>One product's redemption attempts at this node, summed between reports (thread-safe).</summary>
public sealed class DropTracker(string productId)
{
    public const int RememberedGrants = 4096;

    private static readonly string SoldOut = RefusalCodes.Name(RefusalCode.SoldOut);

    private readonly Lock _gate = new();
    private readonly Queue<long> _recentGrants = new();
    private long _firstSoldOutTicket = long.MaxValue;

    // Since the last report.
    private long _attempts;
    private long _granted;
    private long _outOfOrder;
    private Dictionary<string, long> _refusals = new(StringComparer.Ordinal);
    private DateTimeOffset? _firstAttemptAt;
    private DateTimeOffset? _lastGrantAt;
    private DateTimeOffset? _soldOutAt;

    /// <summary>Counts an attempt that arrived at <paramref name="arrival"/> and was answered at <paramref name="now"/>: granted, or refused with <paramref name="refusal"/>.</summary>
    public void Add(DropArrival arrival, string? refusal, DateTimeOffset now)
    {
        lock (_gate)
        {
            _attempts++;
            _firstAttemptAt = _firstAttemptAt is { } first && first <= arrival.At ? first : arrival.At;
            if (refusal is null)
            {
                _granted++;
                _lastGrantAt = now;
                _outOfOrder += arrival.Ticket > _firstSoldOutTicket ? 1 : 0;
                _recentGrants.Enqueue(arrival.Ticket);
                if (_recentGrants.Count > RememberedGrants)
                {
                    _recentGrants.Dequeue();
                }

                return;
            }

            _refusals[refusal] = _refusals.GetValueOrDefault(refusal) + 1;
            if (refusal == SoldOut)
            {
                _soldOutAt ??= now;
                if (arrival.Ticket < _firstSoldOutTicket)
                {
                    var previous = _firstSoldOutTicket;
                    _outOfOrder += _recentGrants.Count(t => t > arrival.Ticket && t <= previous);
                    _firstSoldOutTicket = arrival.Ticket;
                }
            }
        }
    }

    /// <summary>What was counted since the last report (then starts again); null when nothing was.</summary>
    public DropTally? Take()
    {
        lock (_gate)
        {
            if (_attempts == 0)
            {
                return null;
            }

            var tally = new DropTally(productId, _attempts, _granted, _refusals, _firstAttemptAt!.Value, _lastGrantAt, _soldOutAt, _outOfOrder);
            (_attempts, _granted, _outOfOrder, _firstAttemptAt, _lastGrantAt, _soldOutAt) = (0, 0, 0, null, null, null);
            _refusals = new(StringComparer.Ordinal);
            return tally;
        }
    }
}
