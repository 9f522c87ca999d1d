using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Members;

public sealed class PointsAccountTests
{
    private static readonly DateTimeOffset T0 = Cn(2025, 1, 1, 10);

    private static PointsAccount Earned(params (string Id, long Amount, int? ExpiresInDays)[] lots)
    {
        var account = PointsAccount.Open("m1");
        foreach (var (id, amount, days) in lots)
        {
            account = account.Earn(id, amount, "purchase", "order", T0, days is { } d ? T0.AddDays(d) : null).Account;
        }

        return account;
    }

    [Fact]
    public void Earning_creates_a_lot_and_a_ledger_entry_with_running_balance()
    {
        var outcome = PointsAccount.Open("m1").Earn("e1", 100, "purchase", "order 42", T0, T0.AddDays(365));

        Assert.True(outcome.Succeeded);
        var lot = Assert.Single(outcome.Account.Lots);
        Assert.Equal(("e1", 100L, 100L), (lot.Id, lot.Amount, lot.Remaining));
        var entry = Assert.Single(outcome.Entries);
        Assert.Equal((LedgerKind.Earn, 100L, 100L, "purchase", "order 42"), (entry.Kind, entry.Amount, entry.BalanceAfter, entry.Source, entry.Reason));
        Assert.Equal(100, outcome.Account.Balance(T0));
        Assert.Equal(100, outcome.Account.LifetimeEarned);
    }

    [Fact]
    public void Spending_draws_the_earliest_expiring_lot_first()
    {
        var account = Earned(("late", 100, 300), ("never", 100, null), ("soon", 100, 30));

        var outcome = account.Spend("s1", 150, "redeem", T0.AddDays(1));

        var entry = Assert.Single(outcome.Entries);
        Assert.Equal(-150, entry.Amount);
        Assert.Equal([new LotAllocation("soon", 100), new LotAllocation("late", 50)], entry.Lots.ToArray());
        Assert.Equal(150, outcome.Account.Balance(T0.AddDays(1)));
    }

    [Fact]
    public void Never_expiring_lots_are_spent_last()
    {
        var account = Earned(("never", 100, null), ("year", 100, 365));

        var entry = account.Spend("s1", 120, "redeem", T0).Entries.Single();

        Assert.Equal([new LotAllocation("year", 100), new LotAllocation("never", 20)], entry.Lots.ToArray());
    }

    [Fact]
    public void Spending_more_than_the_balance_is_refused_and_changes_nothing()
    {
        var account = Earned(("e1", 100, null));

        var outcome = account.Spend("s1", 101, "redeem", T0);

        Assert.Equal(RefusalCode.InsufficientPoints, outcome.Refusal?.Code);
        Assert.Equal("insufficient_points", outcome.Refusal?.CodeName);
        Assert.Same(account, outcome.Account);
    }

    [Fact]
    public void A_lot_stops_counting_at_its_expiry_instant_without_a_sweep()
    {
        var account = Earned(("e1", 100, 10));

        Assert.Equal(100, account.Balance(T0.AddDays(10).AddTicks(-1)));
        Assert.Equal(0, account.Balance(T0.AddDays(10)));
        Assert.Equal(RefusalCode.InsufficientPoints, account.Spend("s1", 1, "x", T0.AddDays(10)).Refusal?.Code);
    }

    [Fact]
    public void Expire_records_expiries_in_the_ledger_and_returns_the_expired_lots()
    {
        var account = Earned(("e1", 100, 10), ("e2", 50, null));
        account = account.Spend("s1", 30, "redeem", T0).Account;

        var outcome = account.Expire(T0.AddDays(11));

        var expired = Assert.Single(outcome.ExpiredLots);
        Assert.Equal("e1", expired.Id);
        var entry = Assert.Single(outcome.Entries);
        Assert.Equal((LedgerKind.Expire, -70L, "expire:e1"), (entry.Kind, entry.Amount, entry.OperationId));
        Assert.Equal(50, outcome.Account.LedgerSum());
        Assert.Equal(50, outcome.Account.Balance(T0.AddDays(11)));
        Assert.Empty(outcome.Account.Expire(T0.AddDays(12)).Entries);
    }

    [Fact]
    public void Refund_returns_points_to_the_lots_they_came_from()
    {
        var account = Earned(("soon", 100, 30), ("late", 100, 300));
        account = account.Spend("s1", 150, "redeem", T0).Account;

        var outcome = account.Refund("r1", "s1", null, "order cancelled", T0.AddDays(1));

        var entry = Assert.Single(outcome.Entries);
        Assert.Equal((LedgerKind.Refund, 150L, "s1"), (entry.Kind, entry.Amount, entry.RefundOf));
        Assert.Equal(100, outcome.Account.Lots.Single(l => l.Id == "soon").Remaining);
        Assert.Equal(100, outcome.Account.Lots.Single(l => l.Id == "late").Remaining);
    }

    [Fact]
    public void Refund_into_an_expired_lot_is_recorded_as_expired()
    {
        var account = Earned(("soon", 100, 10), ("late", 100, 300));
        account = account.Spend("s1", 150, "redeem", T0).Account;

        var outcome = account.Refund("r1", "s1", null, "order cancelled", T0.AddDays(20));

        Assert.Equal([LedgerKind.Refund, LedgerKind.Expire], outcome.Entries.Select(e => e.Kind));
        Assert.Equal(-100, outcome.Entries[1].Amount);
        Assert.Equal("refunded_into_expired_lot", outcome.Entries[1].Reason);
        Assert.Equal(0, outcome.Account.Lots.Single(l => l.Id == "soon").Remaining);
        Assert.Equal(100, outcome.Account.Lots.Single(l => l.Id == "late").Remaining);
        Assert.Equal(100, outcome.Account.Balance(T0.AddDays(20)));
        Assert.Equal(100, outcome.Account.LedgerSum());
    }

    [Fact]
    public void Partial_refunds_cannot_exceed_what_was_spent()
    {
        var account = Earned(("e1", 100, null)).Spend("s1", 60, "redeem", T0).Account;
        account = account.Refund("r1", "s1", 40, "partial", T0).Account;

        Assert.Equal("exceeds_refundable", account.Refund("r2", "s1", 21, "x", T0).Refusal?.Detail);
        account = account.Refund("r3", "s1", null, "rest", T0).Account;
        Assert.Equal(100, account.Balance(T0));
        Assert.Equal("already_refunded", account.Refund("r4", "s1", null, "x", T0).Refusal?.Detail);
        Assert.Equal(RefusalCode.NotFound, account.Refund("r5", "nope", null, "x", T0).Refusal?.Code);
    }

    [Fact]
    public void Repeating_an_operation_id_returns_the_first_outcome_and_changes_nothing()
    {
        var first = Earned(("e1", 100, null)).Spend("s1", 60, "redeem", T0);

        var again = first.Account.Spend("s1", 60, "redeem", T0.AddDays(1));

        Assert.True(again.Replayed);
        Assert.Same(first.Account, again.Account);
        Assert.Equal(first.Entries.ToArray(), again.Entries.ToArray());
        Assert.Equal(40, again.Account.Balance(T0));
    }

    [Fact]
    public void Reusing_an_operation_id_for_a_different_operation_is_a_conflict()
    {
        var account = Earned(("e1", 100, null)).Spend("s1", 60, "redeem", T0).Account;

        Assert.Equal("operation_id_reused", account.Spend("s1", 61, "redeem", T0).Refusal?.Detail);
        Assert.Equal(RefusalCode.Conflict, account.Earn("s1", 60, "x", "y", T0, null).Refusal?.Code);
    }

    [Fact]
    public void Negative_adjustment_cannot_drive_the_balance_negative()
    {
        var account = Earned(("e1", 100, null));

        Assert.Equal(RefusalCode.InsufficientPoints, account.Adjust("a1", -101, "correction", T0).Refusal?.Code);
        var adjusted = account.Adjust("a2", -40, "correction", T0).Account.Adjust("a3", 15, "goodwill", T0).Account;
        Assert.Equal(75, adjusted.Balance(T0));
        Assert.Equal(100, adjusted.LifetimeEarned);
    }

    [Fact]
    public void History_is_paged_newest_first()
    {
        var account = PointsAccount.Open("m1");
        for (var i = 1; i <= 5; i++)
        {
            account = account.Earn($"e{i}", i, "task", "t", T0.AddMinutes(i), null).Account;
        }

        var page1 = account.History(1, 2);
        var page3 = account.History(3, 2);

        Assert.Equal(["e5", "e4"], page1.Items.Select(e => e.OperationId));
        Assert.Equal(["e1"], page3.Items.Select(e => e.OperationId));
        Assert.Equal(5, page1.TotalCount);
    }

    [Fact]
    public void Expiring_soon_lists_open_lots_within_the_window_soonest_first()
    {
        var account = Earned(("d40", 10, 40), ("d5", 10, 5), ("d20", 10, 20), ("never", 10, null));

        var soon = account.ExpiringSoon(T0, TimeSpan.FromDays(30));

        Assert.Equal(["d5", "d20"], soon.Select(l => l.Id));
    }

    [Fact]
    public void Rolling_expiry_example_from_the_seed_each_lot_keeps_its_own_year()
    {
        // 100 points on 1 January and 50 on 1 February, valid one year each.
        var zone = Shanghai;
        var policy = PointsMall.Domain.Rules.ExpiryPolicy.RollingMonths(12);
        var jan = Cn(2025, 1, 1, 9);
        var feb = Cn(2025, 2, 1, 9);
        var account = PointsAccount.Open("m1")
            .Earn("jan", 100, "purchase", "x", jan, policy.ExpiresAt(jan, zone)).Account
            .Earn("feb", 50, "purchase", "x", feb, policy.ExpiresAt(feb, zone)).Account;

        Assert.Equal(150, account.Balance(Cn(2025, 12, 31, 23, 59)));
        Assert.Equal(50, account.Balance(Cn(2026, 1, 1, 9)));
        Assert.Equal(0, account.Balance(Cn(2026, 2, 1, 9)));
    }

    [Fact]
    public void Account_round_trips_through_json()
    {
        var account = Earned(("e1", 100, 10), ("e2", 50, null)).Spend("s1", 120, "redeem", T0).Account
            .Refund("r1", "s1", null, "cancel", T0.AddDays(11)).Account;

        var back = Json.AssertRoundTrips(account);

        Assert.Equal(account.Balance(T0.AddDays(11)), back.Balance(T0.AddDays(11)));
        Assert.True(back.Spend("s1", 120, "redeem", T0).Replayed);
    }
}
