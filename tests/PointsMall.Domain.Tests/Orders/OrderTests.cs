using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Tests.Catalog;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Orders;

public sealed class OrderTests
{
    private static readonly DateTimeOffset T = Cn(2025, 6, 18, 20);

    private static Order New(Price? price = null, ProductCategory category = ProductCategory.Physical) =>
        Order.Create("o1", "m1", ProductTests.Sample(price, category), 1, T);

    private static Order Ok(OrderTransition t)
    {
        Assert.Null(t.Refusal);
        return t.Order;
    }

    [Fact]
    public void Points_only_physical_order_runs_to_completion()
    {
        var order = New();
        Assert.Equal((SagaAction.ReserveStock, OrderStatus.PendingPayment), (order.Next().Action, order.Status));
        order = Ok(order.StockReserved(T));
        Assert.Equal(SagaAction.SpendPoints, order.Next().Action);
        order = Ok(order.PointsSpent(T));
        Assert.Equal(SagaAction.CommitStock, order.Next().Action);
        order = Ok(order.StockCommitted(T));
        Assert.Equal((SagaStep.AwaitingShipment, OrderStatus.PendingShipment), (order.Step, order.Status));
        order = Ok(order.Ship("SF Express", "SF123", T.AddDays(1)));
        Assert.Equal(OrderStatus.Shipped, order.Status);
        Assert.Equal(new SagaNext(SagaAction.WaitForReceipt, T.AddDays(8)), order.Next());
        order = Ok(order.ConfirmReceived(T.AddDays(2)));
        Assert.Equal(OrderStatus.Completed, order.Status);
    }

    [Fact]
    public void Virtual_goods_complete_when_the_code_is_issued()
    {
        var order = Ok(Ok(Ok(New(category: ProductCategory.Virtual).StockReserved(T)).PointsSpent(T)).StockCommitted(T));
        Assert.Equal(SagaAction.IssueCode, order.Next().Action);

        order = Ok(order.CodeIssued("CODE-1", T));

        Assert.Equal((OrderStatus.Completed, "CODE-1"), (order.Status, order.FulfilmentCode));
        Assert.Equal(RefusalCode.Conflict, order.Ship("SF", "1", T).Refusal?.Code);
    }

    [Fact]
    public void Points_plus_cash_waits_for_payment_until_the_deadline()
    {
        var order = Ok(Ok(New(new Price(1000, 5000)).StockReserved(T)).PointsSpent(T));

        Assert.Equal(new SagaNext(SagaAction.WaitForPayment, T.AddMinutes(30)), order.Next());
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.Equal("amount_mismatch", order.PaymentConfirmed("pay-1", 4999, T).Refusal?.Detail);
        var paid = Ok(order.PaymentConfirmed("pay-1", 5000, T.AddMinutes(5)));
        Assert.True(paid.PaymentConfirmed("pay-1", 5000, T.AddMinutes(6)).Replayed);
        Assert.Equal((OrderStatus.PendingShipment, SagaAction.CommitStock), (paid.Status, paid.Next().Action));
    }

    [Fact]
    public void Payment_timeout_refunds_points_and_releases_stock()
    {
        var order = Ok(Ok(New(new Price(1000, 5000)).StockReserved(T)).PointsSpent(T));

        Assert.Equal("deadline_not_reached", order.PaymentTimedOut(T.AddMinutes(29)).Refusal?.Detail);
        order = Ok(order.PaymentTimedOut(T.AddMinutes(30)));
        Assert.Equal((OrderStatus.Cancelled, SagaAction.RefundPoints), (order.Status, order.Next().Action));
        order = Ok(order.PointsRefunded(T));
        Assert.Equal(SagaAction.ReleaseStock, order.Next().Action);
        order = Ok(order.StockReleased(T));
        Assert.Equal((SagaStep.Cancelled, SagaAction.None), (order.Step, order.Next().Action));
        Assert.Equal("order_cancelled", order.PaymentConfirmed("late", 5000, T).Refusal?.Detail);
    }

    [Fact]
    public void Sold_out_cancels_without_compensation()
    {
        var order = Ok(New().StockRefused(new Refusal(RefusalCode.SoldOut, "sold_out"), T));

        Assert.Equal((SagaStep.Cancelled, RefusalCode.SoldOut), (order.Step, order.CancelReason!.Code));
    }

    [Fact]
    public void Insufficient_points_releases_the_reserved_stock()
    {
        var order = Ok(Ok(New().StockReserved(T)).PointsRefused(new Refusal(RefusalCode.InsufficientPoints, "insufficient_points"), T));

        Assert.Equal(SagaAction.ReleaseStock, order.Next().Action);
        Assert.Equal(SagaStep.Cancelled, Ok(order.StockReleased(T)).Step);
    }

    [Fact]
    public void Cancelling_after_payment_also_refunds_cash()
    {
        var order = Ok(Ok(Ok(New(new Price(1000, 5000)).StockReserved(T)).PointsSpent(T)).PaymentConfirmed("p", 5000, T));

        order = Ok(order.Cancel("member_cancelled", T));

        Assert.Equal(new Compensation(true, true, true), order.Compensation);
        order = Ok(Ok(Ok(order.PointsRefunded(T)).CashRefunded(T)).StockReleased(T));
        Assert.Equal(SagaStep.Cancelled, order.Step);
    }

    [Fact]
    public void Shipped_orders_cannot_be_cancelled()
    {
        var order = Ok(Ok(Ok(Ok(New().StockReserved(T)).PointsSpent(T)).StockCommitted(T)).Ship("SF", "1", T));

        Assert.Equal("already_shipped", order.Cancel("changed_mind", T).Refusal?.Detail);
    }

    [Fact]
    public void Shipped_orders_auto_complete_after_n_days()
    {
        var order = Ok(Ok(Ok(Ok(New().StockReserved(T)).PointsSpent(T)).StockCommitted(T)).Ship("SF", "1", T));

        Assert.Equal("auto_complete_not_due", order.AutoComplete(T.AddDays(7).AddTicks(-1)).Refusal?.Detail);
        Assert.Equal(OrderStatus.Completed, Ok(order.AutoComplete(T.AddDays(7))).Status);
    }

    [Fact]
    public void Illegal_transitions_are_refused_and_leave_the_order_unchanged()
    {
        var order = New();

        var spent = order.PointsSpent(T);
        var shipped = order.Ship("SF", "1", T);

        Assert.Equal(RefusalCode.Conflict, spent.Refusal?.Code);
        Assert.StartsWith("illegal_transition", spent.Refusal!.Detail, StringComparison.Ordinal);
        Assert.Same(order, spent.Order);
        Assert.Equal(RefusalCode.Conflict, shipped.Refusal?.Code);
        Assert.Equal(RefusalCode.Conflict, order.ConfirmReceived(T).Refusal?.Code);
    }

    [Fact]
    public void Recording_a_step_twice_is_a_replay()
    {
        var order = Ok(New().StockReserved(T));

        var again = order.StockReserved(T.AddSeconds(1));

        Assert.True(again.Replayed);
        Assert.Same(order, again.Order);
    }

    [Fact]
    public void Prize_orders_cost_nothing_and_skip_spending()
    {
        var order = Order.CreatePrize("o2", "m1", ProductTests.Sample(), T);

        order = Ok(order.StockReserved(T));

        Assert.Equal((0L, 0L), (order.PointsTotal, order.CashTotalFen));
        Assert.Equal(SagaAction.CommitStock, order.Next().Action);
        Assert.True(order.HasPassed(SagaStep.PointsSpent));
    }

    [Fact]
    public void Order_round_trips_through_json_and_resumes_at_the_same_step()
    {
        var order = Ok(Ok(Ok(New(new Price(1000, 5000)).StockReserved(T)).PointsSpent(T)).Cancel("member_cancelled", T));

        var back = Json.AssertRoundTrips(order);

        Assert.Equal(order.Next(), back.Next());
        Assert.Equal(order.Status, back.Status);
    }
}
