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
        var unit = StockUnit.Create("p1", 10, 0);

        unit = unit.Reserve("o1", "m1", 3, Now).Unit;
        Assert.Equal((7L, 3L, 0L), (unit.Available, unit.Reserved, unit.Committed));
        unit = unit.Commit("o1", Now).Unit;
        Assert.Equal((7L, 0L, 3L), (unit.Available, unit.Reserved, unit.Committed));
    }

    [Fact]
    public void A_final_reservation_is_a_sale_at_once_and_replays_as_one()
    {
        var unit = StockUnit.Create("p1", 10, 0).Reserve("o1", "m1", 3, Now, final: true).Unit;

        Assert.Equal((7L, 0L, 3L), (unit.Available, unit.Reserved, unit.Committed));
        Assert.True(unit.Reserve("o1", "m1", 3, Now, final: true).Replayed);
        Assert.True(unit.Commit("o1", Now).Replayed);
        Assert.Equal("order_id_reused", unit.Reserve("o1", "m1", 2, Now, final: true).Refusal?.Detail);
        Assert.Equal("order_id_reused", StockUnit.Create("p1", 10, 0).Reserve("o2", "m1", 1, Now).Unit.Reserve("o2", "m1", 1, Now, final: true).Refusal?.Detail);
        Assert.Equal(10, unit.Release("o1", Now).Unit.Available);
    }

    [Fact]
    public void Reserving_more_than_available_is_sold_out()
    {
        var unit = StockUnit.Create("p1", 2, 0).Reserve("o1", "m1", 2, Now).Unit;

        Assert.Equal(RefusalCode.SoldOut, unit.Reserve("o2", "m2", 1, Now).Refusal?.Code);
    }

    [Fact]
    public void Reserve_commit_and_release_are_idempotent_by_order_id()
    {
        var reserved = StockUnit.Create("p1", 5, 0).Reserve("o1", "m1", 2, Now).Unit;

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
        var unit = StockUnit.Create("p1", 5, 0).Release("o1", Now).Unit;

        Assert.Equal("order_released", unit.Reserve("o1", "m1", 1, Now).Refusal?.Detail);
        Assert.Equal(5, unit.Available);
    }

    [Fact]
    public void Off_shelf_blocks_new_reservations_but_not_commits()
    {
        var unit = StockUnit.Create("p1", 5, 0).Reserve("o1", "m1", 1, Now).Unit.WithOnShelf(false);

        Assert.Equal(RefusalCode.NotOnSale, unit.Reserve("o2", "m1", 1, Now).Refusal?.Code);
        Assert.True(unit.Commit("o1", Now).Succeeded);
    }

    [Fact]
    public void Low_stock_raises_one_alert_per_crossing()
    {
        var unit = StockUnit.Create("p1", 10, lowStockThreshold: 3);
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
        var unit = StockUnit.Create("p1", 10, 2).Reserve("o1", "m1", 2, Now).Unit.Commit("o1", Now).Unit
            .Reserve("o2", "m2", 1, Now).Unit.Restock("r1", 5, Now).Unit.Release("o9", Now).Unit;

        var back = Json.AssertRoundTrips(unit);

        Assert.Equal(unit.Available, back.Available);
        Assert.True(back.Reserve("o2", "m2", 1, Now).Replayed);
        Assert.True(back.Seen!.MayContain("o1"));
    }

    [Fact]
    public void Settled_lines_are_forgotten_so_the_unit_does_not_grow_with_its_orders()
    {
        var unit = StockUnit.Create("p1", 100_000, 0);
        for (var i = 0; i < 5_000; i++)
        {
            unit = unit.Reserve($"o{i}", $"m{i % 50}", 1, Now).Unit.Commit($"o{i}", Now).Unit.Forget($"o{i}", Now).Unit;
        }

        Assert.Empty(unit.Lines);
        Assert.Equal((95_000L, 5_000L), (unit.Available, unit.Committed));

        // Aggregates and the fixed-size seen-orders filter: one more order does not make the stored unit longer.
        var stored = System.Text.Json.JsonSerializer.Serialize(unit).Length;
        var next = unit.Reserve("o-next", "m1", 1, Now).Unit.Commit("o-next", Now).Unit.Forget("o-next", Now).Unit;
        Assert.Equal(stored, System.Text.Json.JsonSerializer.Serialize(next).Length);
        Assert.True(stored < 6_000, $"the stored unit holds aggregates and a 4 KiB filter, not one line or count per order or buyer ({stored} characters)");
    }

    [Fact]
    public void A_sold_out_unit_refuses_at_admission_only_orders_that_never_reached_it()
    {
        var unit = StockUnit.Create("p1", 2, 0)
            .Reserve("sold", "m1", 2, Now, final: true).Unit
            .Reserve("refused", "m2", 1, Now).Unit;

        Assert.Equal(0, unit.Available);
        Assert.Equal(new Refusal(RefusalCode.SoldOut, "sold_out"), unit.Admit("never-seen", 1));

        // Both have an outcome here (a sale, a sold_out refusal) that a retry must get back through the order.
        Assert.Null(unit.Admit("sold", 2));
        Assert.Null(unit.Admit("refused", 1));
        Assert.Null(StockUnit.Create("p1", 5, 0).Admit("anything", 5));
    }

    [Fact]
    public void A_refused_reservation_still_marks_the_order_seen_and_a_seen_order_changes_nothing_more()
    {
        var soldOut = StockUnit.Create("p1", 0, 0);

        var refused = soldOut.Reserve("o1", "m1", 1, Now);
        Assert.Equal(RefusalCode.SoldOut, refused.Refusal?.Code);
        Assert.NotSame(soldOut, refused.Unit);
        Assert.True(refused.Unit.Seen!.MayContain("o1"));

        Assert.Same(refused.Unit, refused.Unit.Reserve("o1", "m1", 1, Now).Unit);
        Assert.Same(refused.Unit, refused.Unit.Saw("o1"));
        Assert.True(soldOut.WithOnShelf(false).Reserve("o2", "m1", 1, Now).Unit.Seen!.MayContain("o2"));
    }

    [Fact]
    public void An_order_placed_before_stock_came_back_that_never_reached_the_unit_is_refused_as_its_admission_may_have_been()
    {
        var later = Now.AddMinutes(5);
        var unit = StockUnit.Create("p1", 1, 0).Reserve("first", "m1", 1, Now, final: true).Unit;
        Assert.Null(unit.RefilledAt);

        // Sold out; restocked five minutes later.
        unit = unit.Restock("r1", 10, later).Unit;
        Assert.Equal(later, unit.RefilledAt);

        // Placed before the refill, never seen (its first reserve was lost to a crash): refused.
        Assert.Equal(RefusalCode.SoldOut, unit.Reserve("delayed", "m2", 1, later, placedAt: Now).Refusal?.Code);

        // Placed after it, or seen before it: reserved.
        Assert.True(unit.Reserve("new", "m3", 1, later, placedAt: later.AddSeconds(1)).Succeeded);
        var seenEarly = StockUnit.Create("p1", 1, 0).Reserve("first", "m1", 1, Now, final: true).Unit.Reserve("seen", "m2", 1, Now).Unit.Restock("r1", 10, later).Unit;
        Assert.True(seenEarly.Reserve("seen", "m2", 1, later, placedAt: Now).Succeeded);
    }

    [Fact]
    public void Stock_rising_while_plenty_is_left_is_not_a_refill()
    {
        var unit = StockUnit.Create("p1", 1_000, 0).Restock("r1", 10, Now).Unit;

        Assert.Null(unit.RefilledAt);
        Assert.True(unit.Reserve("o1", "m1", 1, Now, placedAt: Now.AddDays(-1)).Succeeded);
    }

    [Fact]
    public void The_order_filter_never_forgets_an_id_and_rarely_claims_one_it_never_saw()
    {
        var filter = OrderFilter.Empty;
        for (var i = 0; i < 5_000; i++)
        {
            filter = filter.With($"order-{i}");
        }

        Assert.All(Enumerable.Range(0, 5_000), i => Assert.True(filter.MayContain($"order-{i}")));
        var falsePositives = Enumerable.Range(0, 10_000).Count(i => filter.MayContain($"other-{i}"));
        Assert.InRange(falsePositives, 0, 800); // about 5 % expected at 5,000 ids in 32,768 bits with 3 hashes
        Assert.Equal(filter, Json.AssertRoundTrips(filter));
    }

    [Fact]
    public void A_forgotten_sale_is_given_back_by_the_order_that_cancels_it_once()
    {
        var unit = StockUnit.Create("p1", 5, 0)
            .Reserve("o1", "m1", 2, Now).Unit.Commit("o1", Now).Unit.Forget("o1", Now).Unit;
        Assert.Equal(3, unit.Available);

        var released = unit.Release("o1", Now, new SettledSale(2));
        var again = released.Unit.Release("o1", Now, new SettledSale(2));

        Assert.Equal((5L, 0L), (released.Unit.Available, released.Unit.Committed));
        Assert.True(again.Replayed);
        Assert.Equal(5, again.Unit.Available);
        Assert.True(released.Unit.Reserve("o3", "m1", 5, Now).Succeeded);
    }

    [Fact]
    public void A_settled_sale_handed_back_while_the_line_is_still_held_is_released_from_the_line()
    {
        var unit = StockUnit.Create("p1", 5, 0).Reserve("o1", "m1", 2, Now).Unit.Commit("o1", Now).Unit;

        var released = unit.Release("o1", Now, new SettledSale(2)).Unit;

        Assert.Equal((5L, 0L), (released.Available, released.Committed));
    }

    [Fact]
    public void An_open_reservation_is_never_forgotten_and_unknown_forgets_are_replays()
    {
        var unit = StockUnit.Create("p1", 5, 0).Reserve("o1", "m1", 1, Now).Unit;

        Assert.Equal("reservation_open", unit.Forget("o1", Now).Refusal?.Detail);
        Assert.True(unit.Forget("o-unknown", Now).Replayed);
        Assert.True(unit.Commit("o1", Now).Succeeded);
    }

    [Fact]
    public void Settled_lines_whose_forget_was_lost_are_pruned_after_the_retention()
    {
        var unit = StockUnit.Create("p1", 10_000, 0);
        for (var i = 0; i < 1_100; i++)
        {
            unit = unit.Reserve($"o{i}", "m1", 1, Now).Unit.Commit($"o{i}", Now).Unit;
        }

        var later = Now + StockUnit.SettledLineRetention + TimeSpan.FromMinutes(1);
        unit = unit.Reserve("o-late", "m1", 1, later).Unit;

        Assert.Equal(["o-late"], unit.Lines.Keys);
        Assert.Equal((1_101L, 0L, 1_100L), (unit.Total - unit.Available, unit.Reserved - 1, unit.Committed));
    }

    public sealed record StockOp(int Kind, int Order, int Member, int Quantity);

    /// <summary>What an order knows of its own line, as the saga records it.</summary>
    private sealed record OrderModel(string MemberId, int Quantity, StockLineStatus Status, bool Forgotten);

    [Fact]
    public void Stock_is_never_oversold_or_negative_under_any_sequence()
    {
        var gen =
            from kind in Gen.Choose(0, 7)
            from order in Gen.Choose(0, 15)
            from member in Gen.Choose(0, 4)
            from quantity in Gen.Choose(1, 4)
            select new StockOp(kind, order, member, quantity);
        var property = Prop.ForAll(Arb.From(Gen.ArrayOf(gen)), ops =>
        {
            var unit = StockUnit.Create("p1", 8, 2);
            var orders = new Dictionary<string, OrderModel>();
            var restocked = 0L;
            var alertedSinceAbove = false;
            foreach (var op in ops)
            {
                var orderId = $"o{op.Order}";
                var known = orders.GetValueOrDefault(orderId);

                // The unit is driven the way order sagas drive it: an order never reserves again once it forgot its
                // line, forgets only a settled line, and hands its sale back when it releases after forgetting.
                var outcome = op.Kind switch
                {
                    0 or 1 or 2 when known is not { Forgotten: true } => unit.Reserve(orderId, $"m{op.Member}", op.Quantity, Now, final: op.Kind == 2),
                    3 when known is { Forgotten: false } => unit.Commit(orderId, Now),
                    4 => unit.Release(orderId, Now, known is { Status: StockLineStatus.Committed, Forgotten: true } ? new SettledSale(known.Quantity) : null),
                    5 => unit.Restock($"r{op.Order}", op.Quantity, Now),
                    6 when known is { Status: not StockLineStatus.Reserved, Forgotten: false } => unit.Forget(orderId, Now),
                    7 => new StockOutcome(unit.WithOnShelf(op.Quantity != 1), null, false, null),
                    _ => new StockOutcome(unit, null, true, null),
                };
                if (outcome.Succeeded && !outcome.Replayed)
                {
                    switch (op.Kind)
                    {
                        case 0 or 1 or 2:
                            orders[orderId] = new OrderModel($"m{op.Member}", op.Quantity, op.Kind == 2 ? StockLineStatus.Committed : StockLineStatus.Reserved, false);
                            break;
                        case 3:
                            orders[orderId] = known! with { Status = StockLineStatus.Committed };
                            break;
                        case 4:
                            orders[orderId] = (known ?? new OrderModel("", 0, StockLineStatus.Released, false)) with { Status = StockLineStatus.Released, Forgotten = false };
                            break;
                        case 5:
                            restocked += op.Quantity;
                            break;
                        case 6:
                            orders[orderId] = known! with { Forgotten = true };
                            break;
                    }
                }

                unit = outcome.Unit;
                var active = orders.Values.Where(o => o.Status != StockLineStatus.Released).ToList();
                Assert.True(unit.Available >= 0);
                Assert.Equal(8 + restocked, unit.Total);
                Assert.Equal(active.Where(o => o.Status == StockLineStatus.Reserved).Sum(o => (long)o.Quantity), unit.Reserved);
                Assert.Equal(active.Where(o => o.Status == StockLineStatus.Committed).Sum(o => (long)o.Quantity), unit.Committed);
                Assert.True(active.Sum(o => (long)o.Quantity) <= unit.Total);
                Assert.Equal(orders.Count(o => !o.Value.Forgotten), unit.Lines.Count);

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
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public void A_count_sets_the_total_but_never_below_what_orders_hold_or_have_taken()
    {
        var unit = StockUnit.Create("p1", 10, lowStockThreshold: 2).Reserve("o1", "m1", 3, Now).Unit.Reserve("o2", "m2", 2, Now, final: true).Unit;

        var below = unit.SetTotal("count-1", 4, Now);
        var writeOff = unit.SetTotal("count-2", 6, Now);

        Assert.Equal(("conflict", unit), (below.Refusal?.CodeName, below.Unit));
        Assert.Equal((6L, 1L, 3L, 2L), (writeOff.Unit.Total, writeOff.Unit.Available, writeOff.Unit.Reserved, writeOff.Unit.Committed));
        Assert.NotNull(writeOff.Alert); // 1 left: at or below the threshold of 2
        Assert.True(writeOff.Unit.SetTotal("count-2", 100, Now).Replayed);
        Assert.Equal(5, writeOff.Unit.SetTotal("count-3", 5, Now).Unit.Total);
    }
}
