using PointsMall.Domain.Common;
using PointsMall.Domain.Members;

namespace PointsMall.Domain.Tests.Members;

public sealed class PurchasesTests
{
    [Fact]
    public void Purchases_within_the_limit_are_recorded_and_one_past_it_is_refused()
    {
        var purchases = Purchases.None.Record("o1", new Purchase("p1", 2), limit: 3).Purchases;

        Assert.True(purchases.Record("o2", new Purchase("p1", 1), limit: 3).Succeeded);
        Assert.Equal(RefusalCode.LimitExceeded, purchases.Record("o3", new Purchase("p1", 2), limit: 3).Refusal?.Code);
        Assert.True(purchases.Record("o4", new Purchase("p2", 5), limit: 5).Succeeded);
        Assert.True(purchases.Record("o5", new Purchase("p1", 99), limit: null).Succeeded);
        Assert.Equal(2, purchases.HeldOf("p1"));
    }

    [Fact]
    public void The_same_operation_replays_and_another_purchase_under_it_is_a_conflict()
    {
        var purchases = Purchases.None.Record("o1", new Purchase("p1", 1), limit: 1).Purchases;

        var again = purchases.Record("o1", new Purchase("p1", 1), limit: 1);

        Assert.True(again.Replayed);
        Assert.Same(purchases, again.Purchases);
        Assert.Equal("operation_id_reused", purchases.Record("o1", new Purchase("p2", 1), limit: null).Refusal?.Detail);
    }

    [Fact]
    public void A_returned_purchase_gives_the_allowance_back_and_returning_it_twice_is_harmless()
    {
        var purchases = Purchases.None.Record("o1", new Purchase("p1", 1), limit: 1).Purchases;

        var returned = purchases.Return("o1").Return("o1").Return("never");

        Assert.Equal(0, returned.HeldOf("p1"));
        Assert.True(returned.Record("o2", new Purchase("p1", 1), limit: 1).Succeeded);
    }
}
