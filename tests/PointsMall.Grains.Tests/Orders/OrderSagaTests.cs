using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Orders;
using PointsMall.Payments;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

public sealed class OrderSagaTests
{
    [Fact]
    public async Task A_physical_redemption_is_placed_shipped_and_completed_when_the_member_confirms_receipt()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");

        var placed = await order.PlaceAsync(Points("m1", "kettle", 2));

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Equal("PendingShipment", placed.Order!.Status);
        Assert.Equal(600, placed.Order.Points);
        Assert.Equal(400, await BalanceAsync(member));
        var stock = await StockAsync(product);
        Assert.Equal((3L, 0L, 2L), (stock.Available, stock.Reserved, stock.Committed));
        Assert.Single(await LedgerAsync(member, "o1"));
        Assert.Equal(["o1"], await OrderIdsAsync(silo, "m1"));

        var shipped = await order.ShipAsync(new ShipOrder("SF Express", "SF123"));
        Assert.True(shipped.Succeeded);
        Assert.Equal(("Shipped", "SF Express", "SF123"), (shipped.Order!.Status, shipped.Order.Carrier, shipped.Order.TrackingNumber));

        var completed = await order.ConfirmReceiptAsync("m1");
        Assert.True(completed.Succeeded);
        Assert.Equal("Completed", completed.Order!.Status);
        Assert.Equal(
            ["Created", "StockReserved", "PointsSpent", "StockCommitted", "AwaitingShipment", "Shipped", "Completed"],
            completed.Order.History.Select(h => h.Step));
    }

    [Fact]
    public async Task A_shipped_order_completes_by_itself_seven_days_later()
    {
        var signals = new SagaSignals();
        await using var silo = await StartAsync(signals);
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle"), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(Points("m1", "kettle"));
        await order.ShipAsync(new ShipOrder("SF Express", "SF123"));

        silo.Time.Advance(OrderPolicy.Default.AutoCompleteAfter - TimeSpan.FromMinutes(1));
        await silo.FireReminderAsync(order, OrderGrain.AutoCompleteReminder);
        Assert.Equal("Shipped", (await order.GetAsync())!.Status);

        // Delivered early it changed nothing and stayed set; at the deadline it completes the order.
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        await silo.FireReminderAsync(order, OrderGrain.AutoCompleteReminder);
        await signals.WaitForAsync("o1", SagaStep.Completed);

        var view = await order.GetAsync();
        Assert.Equal("Completed", view!.Status);
        Assert.Equal("auto_completed", view.History[^1].Detail);
    }

    [Theory]
    [InlineData(ProductCategory.Virtual)]
    [InlineData(ProductCategory.Service)]
    public async Task Virtual_goods_and_services_complete_at_once_with_a_code(ProductCategory category)
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("coupon", points: 50, category: category), stock: 5);

        var placed = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "coupon"));

        Assert.True(placed.Succeeded);
        Assert.Equal("Completed", placed.Order!.Status);
        Assert.Matches("^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$", placed.Order.Code);
        Assert.Equal(950, await BalanceAsync(member));
        Assert.Equal(1, (await StockAsync(product)).Committed);
        Assert.Equal(placed.Order.Code, (await silo.Grain<IOrderGrain>("o1").GetAsync())!.Code);
    }

    [Fact]
    public async Task Points_plus_cash_waits_for_a_verified_payment_callback_then_goes_to_pending_shipment()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 5_000);

        // a ¥200 item as 1,000 points + ¥50.
        var product = await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);
        var order = silo.Grain<IOrderGrain>("o1");

        var placed = await order.PlaceAsync(new PlaceOrder("m1", "blender", 1, "points_cash", "addr-1"));
        Assert.True(placed.Succeeded);
        Assert.Equal(("PendingPayment", 1_000L, 5_000L), (placed.Order!.Status, placed.Order.Points, placed.Order.CashFen));
        Assert.Equal(silo.Time.GetUtcNow() + OrderPolicy.Default.PaymentWindow, placed.Order.PaymentDeadline);
        Assert.Equal(4_000, await BalanceAsync(member));
        Assert.Equal(1, (await StockAsync(product)).Reserved);

        var sandbox = silo.Services.GetRequiredService<SandboxPaymentProvider>();
        var provider = silo.Services.GetRequiredService<IPaymentProvider>();
        var callback = sandbox.SignCallback("o1", 5_000, silo.Time.GetUtcNow());
        Assert.True(provider.VerifyCallback(callback));
        Assert.False(provider.VerifyCallback(callback with { AmountFen = 1 }));

        var paid = await order.ConfirmPaymentAsync(new ConfirmPayment(callback.PaymentReference, callback.AmountFen));
        Assert.True(paid.Succeeded, paid.Refusal?.ToString());
        Assert.Equal("PendingShipment", paid.Order!.Status);
        var stock = await StockAsync(product);
        Assert.Equal((2L, 0L, 1L), (stock.Available, stock.Reserved, stock.Committed));

        // The provider retries its callback: same answer, nothing applied twice.
        var again = await order.ConfirmPaymentAsync(new ConfirmPayment(callback.PaymentReference, callback.AmountFen));
        Assert.True(again.Succeeded);
        Assert.Equal((paid.Order.Step, paid.Order.History.Count), (again.Order!.Step, again.Order.History.Count));

        var other = await order.ConfirmPaymentAsync(new ConfirmPayment("sbx-another", 5_000));
        Assert.Equal("conflict", other.Refusal?.Code);
    }

    [Fact]
    public async Task A_payment_confirmation_with_a_reference_the_order_never_issued_is_refused()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 5_000);
        await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(new PlaceOrder("m1", "blender", 1, "points_cash", null));

        var wrongReference = await order.ConfirmPaymentAsync(new ConfirmPayment("sbx-forged", 5_000));
        var wrongAmount = await order.ConfirmPaymentAsync(new ConfirmPayment(
            silo.Services.GetRequiredService<SandboxPaymentProvider>().SignCallback("o1", 5_000, silo.Time.GetUtcNow()).PaymentReference, 4_999));

        Assert.Equal(("validation_failed", "unknown_payment_reference"), (wrongReference.Refusal?.Code, wrongReference.Refusal?.Detail));
        Assert.Equal(("validation_failed", "amount_mismatch"), (wrongAmount.Refusal?.Code, wrongAmount.Refusal?.Detail));
        Assert.Equal("PendingPayment", (await order.GetAsync())!.Status);
    }

    [Fact]
    public async Task An_unpaid_points_plus_cash_order_is_cancelled_at_its_deadline_with_points_refunded_and_stock_released()
    {
        var signals = new SagaSignals();
        await using var silo = await StartAsync(signals);
        var member = await MemberAsync(silo, "m1", 5_000);
        var product = await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(new PlaceOrder("m1", "blender", 1, "points_cash", null));
        Assert.Equal(4_000, await BalanceAsync(member));

        silo.Time.Advance(OrderPolicy.Default.PaymentWindow);
        await silo.FireReminderAsync(order, OrderGrain.PaymentDeadlineReminder);
        await signals.WaitForAsync("o1", SagaStep.Cancelled);

        var view = await order.GetAsync();
        Assert.Equal(("Cancelled", "payment_timeout"), (view!.Status, view.CancelReason));
        Assert.Equal(5_000, await BalanceAsync(member));
        Assert.Single(await LedgerAsync(member, "refund:o1"));
        var stock = await StockAsync(product);
        Assert.Equal((3L, 0L, 0L), (stock.Available, stock.Reserved, stock.Committed));

        // A payment that arrives after the deadline is refused and its money sent back.
        var sandbox = silo.Services.GetRequiredService<SandboxPaymentProvider>();
        var late = sandbox.SignCallback("o1", 5_000, silo.Time.GetUtcNow());
        var refused = await order.ConfirmPaymentAsync(new ConfirmPayment(late.PaymentReference, late.AmountFen));
        Assert.Equal(("conflict", "order_cancelled"), (refused.Refusal?.Code, refused.Refusal?.Detail));
        Assert.Equal(5_000, sandbox.Refunds["o1"].AmountFen);
    }

    [Fact]
    public async Task Cancelling_before_shipment_refunds_the_points_and_releases_the_stock()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(Points("m1", "kettle"));

        var cancelled = await order.CancelAsync(new CancelOrder("m1", "changed_my_mind"));

        Assert.True(cancelled.Succeeded);
        Assert.Equal(("Cancelled", "changed_my_mind"), (cancelled.Order!.Status, cancelled.Order.CancelReason));
        Assert.Equal(1_000, await BalanceAsync(member));
        var stock = await StockAsync(product);
        Assert.Equal((5L, 0L, 0L), (stock.Available, stock.Reserved, stock.Committed));

        var again = await order.CancelAsync(new CancelOrder("m1", "changed_my_mind"));
        Assert.True(again.Succeeded);
        Assert.Single(await LedgerAsync(member, "refund:o1"));
    }

    [Fact]
    public async Task Cancelling_a_paid_points_plus_cash_order_refunds_the_cash_too()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 5_000);
        await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(new PlaceOrder("m1", "blender", 1, "points_cash", null));
        var sandbox = silo.Services.GetRequiredService<SandboxPaymentProvider>();
        var callback = sandbox.SignCallback("o1", 5_000, silo.Time.GetUtcNow());
        await order.ConfirmPaymentAsync(new ConfirmPayment(callback.PaymentReference, callback.AmountFen));

        var cancelled = await order.CancelAsync(new CancelOrder(null, "out_of_stock_at_warehouse"));

        Assert.Equal("Cancelled", cancelled.Order!.Status);
        Assert.Equal(5_000, await BalanceAsync(member));
        Assert.Equal(new PaymentRefund("o1", callback.PaymentReference, 5_000), sandbox.Refunds["o1"]);
    }

    [Fact]
    public async Task Cancelling_after_shipment_is_refused_and_changes_nothing()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(Points("m1", "kettle"));
        await order.ShipAsync(new ShipOrder("SF Express", "SF123"));

        var refused = await order.CancelAsync(new CancelOrder("m1", "too_late"));

        Assert.Equal(("conflict", "already_shipped"), (refused.Refusal?.Code, refused.Refusal?.Detail));
        Assert.Equal("Shipped", (await order.GetAsync())!.Status);
        Assert.Equal(700, await BalanceAsync(member));
    }

    [Fact]
    public async Task Another_member_can_neither_cancel_nor_confirm_an_order_and_learns_nothing_about_it()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle"), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(Points("m1", "kettle"));
        await order.ShipAsync(new ShipOrder("SF Express", "SF123"));
        var missing = await silo.Grain<IOrderGrain>("no-such-order").CancelAsync(new CancelOrder("m2", "x"));

        var cancel = await order.CancelAsync(new CancelOrder("m2", "mine_now"));
        var confirm = await order.ConfirmReceiptAsync("m2");

        // The same answer as for an order that does not exist, so ids cannot be probed.
        Assert.Equal(missing, cancel);
        Assert.Equal(missing, confirm);
        Assert.Equal(("not_found", null), (cancel.Refusal?.Code, cancel.Order));
        Assert.Equal("Shipped", (await order.GetAsync())!.Status);
    }

    [Fact]
    public async Task Shipping_is_only_for_a_physical_order_pending_shipment()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 5_000);
        await ProductAsync(silo, Product("coupon", category: ProductCategory.Virtual), stock: 5);
        await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);
        var virtualOrder = silo.Grain<IOrderGrain>("o1");
        var unpaidOrder = silo.Grain<IOrderGrain>("o2");
        await virtualOrder.PlaceAsync(Points("m1", "coupon"));
        await unpaidOrder.PlaceAsync(new PlaceOrder("m1", "blender", 1, "points_cash", null));

        Assert.Equal("conflict", (await virtualOrder.ShipAsync(new ShipOrder("SF", "1"))).Refusal?.Code);
        Assert.Equal("conflict", (await unpaidOrder.ShipAsync(new ShipOrder("SF", "1"))).Refusal?.Code);
        Assert.Equal("validation_failed", (await unpaidOrder.ShipAsync(new ShipOrder("", ""))).Refusal?.Code);
        Assert.Equal("conflict", (await unpaidOrder.ConfirmReceiptAsync("m1")).Refusal?.Code);
    }

    [Theory]
    [InlineData(0, "points")]
    [InlineData(100, "points")]
    [InlineData(1, "cash")]
    [InlineData(1, "points_cash")]
    public async Task An_invalid_request_is_refused_before_anything_is_reserved_or_spent(int quantity, string payment)
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("kettle"), stock: 5);

        var result = await silo.Grain<IOrderGrain>("o1").PlaceAsync(new PlaceOrder("m1", "kettle", quantity, payment, null));

        Assert.Equal(("validation_failed", null), (result.Refusal?.Code, result.Order));
        Assert.Null(await silo.Grain<IOrderGrain>("o1").GetAsync());
        Assert.Equal(1_000, await BalanceAsync(member));
        Assert.Equal(5, (await StockAsync(product)).Available);
    }

    [Fact]
    public async Task A_product_with_a_cash_price_must_be_paid_points_plus_cash()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 5_000);
        await ProductAsync(silo, Product("blender", points: 1_000, cashFen: 5_000), stock: 3);

        var result = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "blender"));

        Assert.Equal(("validation_failed", "product_requires_points_cash"), (result.Refusal?.Code, result.Refusal?.Detail));
    }

    [Theory]
    [InlineData("missing-product", "not_found")]
    [InlineData("missing-member", "not_found")]
    public async Task An_unknown_member_or_product_is_refused_without_an_order(string what, string code)
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle"), stock: 5);
        var command = what == "missing-product" ? Points("m1", "nothing") : Points("nobody", "kettle");

        var result = await silo.Grain<IOrderGrain>("o1").PlaceAsync(command);

        Assert.Equal((code, null), (result.Refusal?.Code, result.Order));
    }

    public static TheoryData<string, string> StockRefusals => new()
    {
        { "sold_out", "sold_out" },
        { "off_shelf", "not_on_sale" },
        { "gold_only", "tier_required" },
        { "limit_one", "limit_exceeded" },
    };

    [Theory]
    [MemberData(nameof(StockRefusals))]
    public async Task A_refusal_by_the_stock_unit_ends_in_a_cancelled_order_that_took_nothing(string productId, string code)
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("sold_out"), stock: 0);
        var offShelf = await ProductAsync(silo, Product("off_shelf"), stock: 5);
        await offShelf.SetOnShelfAsync(false);
        await ProductAsync(silo, Product("gold_only", requiredTier: Tier.Gold), stock: 5);
        await ProductAsync(silo, Product("limit_one", perMemberLimit: 1), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        var command = Points("m1", productId, 2);

        var result = await order.PlaceAsync(command);

        Assert.Equal(code, result.Refusal?.Code);
        Assert.Equal("Cancelled", result.Order!.Status);
        Assert.Equal(1_000, await BalanceAsync(member));
        Assert.Empty(await LedgerAsync(member, "o1"));

        // A retry gets the first outcome.
        Assert.Equal(result.Refusal, (await order.PlaceAsync(command)).Refusal);
    }

    [Fact]
    public async Task Insufficient_points_cancel_the_order_and_release_its_stock()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 250);
        var product = await ProductAsync(silo, Product("kettle", points: 300), stock: 5);

        var result = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle"));

        Assert.Equal("insufficient_points", result.Refusal?.Code);
        Assert.Equal("Cancelled", result.Order!.Status);
        Assert.Equal(250, await BalanceAsync(member));
        var stock = await StockAsync(product);
        Assert.Equal((5L, 0L, 0L), (stock.Available, stock.Reserved, stock.Committed));
    }

    [Fact]
    public async Task The_same_id_with_a_different_request_is_a_conflict()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle"), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        await order.PlaceAsync(Points("m1", "kettle"));

        var reused = await order.PlaceAsync(Points("m1", "kettle", 2));

        Assert.Equal(("conflict", null), (reused.Refusal?.Code, reused.Order));
        Assert.Equal(1, (await order.GetAsync())!.Quantity);
    }

    [Fact]
    public async Task A_prize_order_costs_nothing_and_takes_no_product_stock()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 0);
        var product = await ProductAsync(silo, Product("prize-tv", points: 99_999), stock: 0);
        var order = silo.Grain<IOrderGrain>("o1");
        var command = new PlacePrizeOrder("m1", "prize-tv", "lottery-1", "draw-1");

        var placed = await order.PlacePrizeAsync(command);

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Equal(("PendingShipment", 0L, 0L), (placed.Order!.Status, placed.Order.Points, placed.Order.CashFen));
        Assert.Equal(0, await BalanceAsync(member));
        Assert.Equal(0, (await StockAsync(product)).Committed);
        var again = await order.PlacePrizeAsync(command);
        Assert.Equal((placed.Order.Step, placed.Order.History.Count, null), (again.Order!.Step, again.Order.History.Count, again.Refusal));
        Assert.Equal("conflict", (await order.PlacePrizeAsync(command with { DrawId = "draw-2" })).Refusal?.Code);
    }

    [Fact]
    public async Task A_physical_prize_ships_to_the_winners_default_address_copied_onto_the_order()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 0);
        Assert.True((await member.SaveAddressAsync(new SaveAddress(null, "王小明", "13800138000", "上海市 浦东新区", "世纪大道 100 号", IsDefault: true))).Succeeded);
        await ProductAsync(silo, Product("prize-kettle", points: 500), stock: 0);

        var placed = await silo.Grain<IOrderGrain>("o-prize").PlacePrizeAsync(new PlacePrizeOrder("m1", "prize-kettle", "lottery-1", "draw-1"));

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Equal(("王小明", "世纪大道 100 号"), (placed.Order!.ShippingAddress?.Recipient, placed.Order.ShippingAddress?.Detail));
    }
}
