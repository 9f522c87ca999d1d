using PointsMall.Api.Analytics;
using Xunit;

namespace PointsMall.Api.Tests.Analytics;

/// <summary>One node's count of a drop: attempts by outcome, and units that went to a later arrival than a sold-out refusal.</summary>
public sealed class DropTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static DropArrival Arrival(long ticket) => new(ticket, T0.AddMilliseconds(ticket));

    [Fact]
    public void Units_granted_before_the_first_sold_out_arrival_are_in_arrival_order()
    {
        var drop = new DropTracker("p-1");
        drop.Add(Arrival(2), null, T0.AddSeconds(1));
        drop.Add(Arrival(1), null, T0.AddSeconds(2));
        drop.Add(Arrival(3), "sold_out", T0.AddSeconds(3));
        drop.Add(Arrival(4), "sold_out", T0.AddSeconds(4));

        var tally = drop.Take()!;
        Assert.Equal((4L, 2L, 2L, 0L), (tally.Attempts, tally.Granted, tally.Refusals["sold_out"], tally.GrantedOutOfOrder));
        Assert.Equal((T0.AddMilliseconds(1), T0.AddSeconds(2), T0.AddSeconds(3)), (tally.FirstAttemptAt, tally.LastGrantAt, tally.SoldOutAt));
    }

    [Fact]
    public void A_grant_to_a_later_arrival_counts_whichever_answer_comes_back_first()
    {
        var drop = new DropTracker("p-1");
        drop.Add(Arrival(5), "sold_out", T0.AddSeconds(1));
        drop.Add(Arrival(6), null, T0.AddSeconds(2));       // later than a known refusal: out of order at once
        drop.Add(Arrival(4), null, T0.AddSeconds(3));       // earlier than it: in order
        drop.Add(Arrival(2), "sold_out", T0.AddSeconds(4)); // an even earlier refusal: now the grant to 4 is out of order too
        Assert.Equal(2, drop.Take()!.GrantedOutOfOrder);
    }

    [Fact]
    public void A_report_starts_again_but_the_arrival_order_carries_on()
    {
        var drop = new DropTracker("p-1");
        drop.Add(Arrival(1), "sold_out", T0);
        Assert.NotNull(drop.Take());
        Assert.Null(drop.Take());

        drop.Add(Arrival(2), null, T0.AddSeconds(1));
        drop.Add(Arrival(3), "insufficient_points", T0.AddSeconds(1));
        var tally = drop.Take()!;
        Assert.Equal((2L, 1L, 1L, (DateTimeOffset?)null), (tally.Attempts, tally.Granted, tally.GrantedOutOfOrder, tally.SoldOutAt));
    }
}
