using FsCheck;
using FsCheck.Fluent;
using PointsMall.Domain.Common;
using PointsMall.Domain.Stock;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Stock;

public sealed class StockUnitTests
{
    private static readonly DateTimeOffset Now = Cn(2025, 6, 18, 20);

    [Fact]
    public void Reserve_then_commit_moves_units_from_available_to_committed()
    {
        var unit = StockUnit.Create("p1", 10, 0, null);

        unit = unit.Reserve("o1", "m1", 3, Now).Unit;
        Assert.Equal((7L, 3L, 0L), (unit.Available, unit.Reserved, unit.Committed));
        unit = unit.Commit("o1", Now).Unit;
        Assert.Equal((7L, 0L, 3L), (unit.Available, unit.Reserved, unit.Committed));
    }

    [Fact]
    public void Reserving_more_than_available_is_sold_out()
    {
        var unit = StockUnit.Create("p1", 2, 0, null).Reserve("o1", "m1", 2, Now).Unit;

        Assert.Equal(RefusalCode.SoldOut, unit.Reserve("o2", "m2", 1, Now).Refusal?.Code);
    }

    [Fact]
    public void Reserve_commit_and_release_are_idempotent_by_order_id()
    {
        var reserved = StockUnit.Create("p1", 5, 0, null).Reserve("o1", "m1", 2, Now).Unit;

        Assert.True(reserved.Reserve("o1", "m1", 2, Now).Replayed);
        Assert.Equal("order_id_reused", reserved.Reserve("o1", "m1", 3, Now).Refusal?.Detail);
        var committed = reserved.Commit("o1", Now).Unit;
        Assert.True(committed.Commit("o1", Now).Replayed);
        var released = committed.Release("o1", Now).Unit;
        Assert.True(released.Release("o1", Now).Replayed);
        Assert.Equal(5, released.Available);
    }

    [Fact]
    public void A_release_that_arrives_before_its_reserve_blocks_the_late_reserve()
    {
        var unit = StockUnit.Create("p1", 5, 0, null).Release("o1", Now).Unit;

        Assert.Equal("order_released", unit.Reserve("o1", "m1", 1, Now).Refusal?.Detail);
        Assert.Equal(5, unit.Available);
    }

    [Fact]
    public void Per_member_limit_counts_active_redemptions_and_a_release_gives_the_allowance_back()
    {
        var unit = StockUnit.Create("p1", 100, 0, perMemberLimit: 2).Reserve("o1", "m1", 2, Now).Unit;

        Assert.Equal(RefusalCode.LimitExceeded, unit.Reserve("o2", "m1", 1, Now).Refusal?.Code);
        Assert.True(unit.Reserve("o3", "m2", 1, Now).Succeeded);
        unit = unit.Release("o1", Now).Unit;
        Assert.True(unit.Reserve("o4", "m1", 1, Now).Succeeded);
    }

    [Fact]
    public void Off_shelf_blocks_new_reservations_but_not_commits()
    {
        var unit = StockUnit.Create("p1", 5, 0, null).Reserve("o1", "m1", 1, Now).Unit.WithOnShelf(false);

        Assert.Equal(RefusalCode.NotOnSale, unit.Reserve("o2", "m1", 1, Now).Refusal?.Code);
        Assert.True(unit.Commit("o1", Now).Succeeded);
    }

    [Fact]
    public void Low_stock_raises_one_alert_per_crossing()
    {
        var unit = StockUnit.Create("p1", 10, lowStockThreshold: 3, null);
        var alerts = new List<LowStockAlert>();
        void Apply(StockOutcome o)
        {
            unit = o.Unit;
            if (o.Alert is not null)
            {
                alerts.Add(o.Alert);
            }
        }

        Apply(unit.Reserve("o1", "m1", 7, Now)); // 3 left: crossing → alert
        Apply(unit.Reserve("o2", "m2", 1, Now)); // 2 left: still low, no new alert
        Assert.Single(alerts);
        Apply(unit.Restock("r1", 10, Now)); // 12: re-armed
        Apply(unit.Restock("r1", 10, Now)); // replay: no double restock
        Assert.Equal(12, unit.Available);
        Apply(unit.Reserve("o3", "m3", 9, Now)); // 3 left: second crossing → alert
        Assert.Equal(2, alerts.Count);
        Assert.Equal(new LowStockAlert("p1", 3, 3, Now), alerts[1]);
    }

    [Fact]
    public void Stock_unit_round_trips_through_json()
    {
        var unit = StockUnit.Create("p1", 10, 2, 3).Reserve("o1", "m1", 2, Now).Unit.Commit("o1", Now).Unit
            .Reserve("o2", "m2", 1, Now).Unit.Restock("r1", 5, Now).Unit.Release("o9", Now).Unit;

        var back = Json.AssertRoundTrips(unit);

        Assert.Equal(unit.Available, back.Available);
        Assert.True(back.Reserve("o2", "m2", 1, Now).Replayed);
    }

    public sealed record StockOp(int Kind, int Order, int Member, int Quantity);

    [Fact]
    public void Stock_is_never_oversold_or_negative_under_any_sequence()
    {
        var gen =
            from kind in Gen.Choose(0, 6)
            from order in Gen.Choose(0, 15)
            from member in Gen.Choose(0, 4)
            from quantity in Gen.Choose(1, 4)
            select new StockOp(kind, order, member, quantity);
        var property = Prop.ForAll(Arb.From(Gen.ArrayOf(gen)), ops =>
        {
            var unit = StockUnit.Create("p1", 8, 2, perMemberLimit: 5);
            var restocked = 0L;
            var alertedSinceAbove = false;
            foreach (var op in ops)
            {
                var orderId = $"o{op.Order}";
                var outcome = op.Kind switch
                {
                    0 or 1 or 2 => unit.Reserve(orderId, $"m{op.Member}", op.Quantity, Now),
                    3 => unit.Commit(orderId, Now),
                    4 => unit.Release(orderId, Now),
                    5 => unit.Restock($"r{op.Order}", op.Quantity, Now),
                    _ => new StockOutcome(unit.WithOnShelf(op.Quantity != 1), null, false, null),
                };
                if (op.Kind == 5 && !outcome.Replayed)
                {
                    restocked += op.Quantity;
                }

                unit = outcome.Unit;
                var active = unit.Lines.Values.Where(l => l.Status != StockLineStatus.Released).ToList();
                Assert.True(unit.Available >= 0);
                Assert.Equal(8 + restocked, unit.Total);
                Assert.Equal(active.Where(l => l.Status == StockLineStatus.Reserved).Sum(l => (long)l.Quantity), unit.Reserved);
                Assert.Equal(active.Where(l => l.Status == StockLineStatus.Committed).Sum(l => (long)l.Quantity), unit.Committed);
                Assert.True(active.Sum(l => (long)l.Quantity) <= unit.Total);
                Assert.All(active.GroupBy(l => l.MemberId), g =>
                {
                    Assert.InRange(g.Sum(l => l.Quantity), 0, 5);
                    Assert.Equal(g.Sum(l => l.Quantity), unit.PurchasedBy(g.Key));
                });

                // One alert per crossing: never two alerts without stock rising above the threshold in between.
                if (outcome.Alert is not null)
                {
                    Assert.False(alertedSinceAbove);
                    alertedSinceAbove = true;
                }

                if (unit.Available > unit.LowStockThreshold)
                {
                    alertedSinceAbove = false;
                }
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }
}
