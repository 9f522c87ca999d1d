using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Tests.Scenarios;

public sealed class AuditCheckTests
{
    private static AuditOrder Order(string id, string member, string status = "PendingShipment") => new(id, member, "p1", 1, 100, status);

    [Fact]
    public void More_live_orders_than_stock_is_an_oversell()
    {
        var orders = Enumerable.Range(0, 11).Select(i => Order($"o{i}", "m1")).ToList();

        var checks = AuditChecks.Stock("p1", (Total: 10, Available: 0, Reserved: 0, Sold: 10), orders, 10).ToList();

        Assert.False(checks.Single(c => c.Name.StartsWith("no oversell", StringComparison.Ordinal)).Passed);
        Assert.False(checks.Single(c => c.Name.StartsWith("orders = stock consumed", StringComparison.Ordinal)).Passed);
    }

    [Fact]
    public void Cancelled_orders_do_not_hold_stock()
    {
        var orders = new[] { Order("o1", "m1"), Order("o2", "m2", "Cancelled") };

        var checks = AuditChecks.Stock("p1", (Total: 10, Available: 9, Reserved: 1, Sold: 0), orders, 10).ToList();

        Assert.All(checks, c => Assert.True(c.Passed, c.Detail));
    }

    [Fact]
    public void A_balance_that_does_not_match_its_ledger_or_is_negative_fails()
    {
        var good = new MemberPoints("m1", 900, 900, true, Earned: 1000, Spent: 100, Refunded: 0, Expired: 0, Adjusted: 0, NewestBalanceAfter: 900, Entries: 2);
        var drifted = good with { Id = "m2", Balance = 1000 };
        var negative = good with { Id = "m3", Balance = -100, Spent = 1100, NewestBalanceAfter = -100 };

        var ok = AuditChecks.Balances([good], 1000).ToList();
        var bad = AuditChecks.Balances([good, drifted, negative], 1000).ToList();

        Assert.All(ok, c => Assert.True(c.Passed, c.Detail));
        Assert.False(bad.Single(c => c.Name == "no negative balance").Passed);
        Assert.Contains("m2", bad.Single(c => c.Name.StartsWith("balance =", StringComparison.Ordinal)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Points_spent_must_equal_what_live_orders_hold()
    {
        var member = new MemberPoints("m1", 800, 800, true, 1000, 300, 100, 0, 0, 800, 4);

        Assert.True(AuditChecks.SpendingMatchesOrders([member], [Order("o1", "m1"), Order("o2", "m1"), Order("o3", "m1", "Cancelled")]).Passed);
        Assert.False(AuditChecks.SpendingMatchesOrders([member], [Order("o1", "m1")]).Passed);
    }

    [Fact]
    public void A_key_answered_with_two_orders_or_an_acknowledged_order_missing_fails_idempotency()
    {
        var acknowledged = new AcknowledgedIds();
        acknowledged.Record("k1", "o1");
        acknowledged.Record("k1", "o1");
        acknowledged.Record("k2", "o2");
        acknowledged.Record("k3", null);

        var fine = AuditChecks.Idempotency("order", acknowledged, new HashSet<string> { "o1", "o2", "o3" }).ToList();
        Assert.All(fine, c => Assert.True(c.Passed, c.Detail));

        var tooMany = AuditChecks.Idempotency("order", acknowledged, new HashSet<string> { "o1", "o2", "o3", "o4" }).ToList();
        Assert.False(tooMany[0].Passed);

        acknowledged.Record("k2", "o9");
        var split = AuditChecks.Idempotency("order", acknowledged, new HashSet<string> { "o1", "o2" }).ToList();
        Assert.False(split[0].Passed);
        Assert.False(split[1].Passed); // o9 was acknowledged but is not on the server
    }
}
