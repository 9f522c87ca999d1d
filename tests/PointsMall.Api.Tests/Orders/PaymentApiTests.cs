using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Tests.Support;
using PointsMall.Payments;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

public sealed class PaymentApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private async Task<(string ProductId, string MemberId, HttpClient Member, string OrderId)> PointsCashOrderAsync()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Blender", pointsPrice = 1000, cashPrice = 50m, stock = 5 });
        var (memberId, member) = await api.MemberWithPointsAsync(3000);
        var order = await ShopKit.RedeemOkAsync(member, product, payment: "points_cash");
        Assert.Equal("PendingPayment", order.GetProperty("status").GetString());
        Assert.Equal(5000, order.GetProperty("cashFen").GetInt64());
        Assert.True(order.TryGetProperty("paymentDeadline", out var deadline) && deadline.GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.StartsWith("/api/v1/sandbox/pay?", order.GetProperty("payUrl").GetString(), StringComparison.Ordinal);
        return (product, memberId, member, order.GetProperty("orderId").GetString()!);
    }

    [Fact]
    public async Task A_points_cash_order_waits_for_payment_and_the_sandbox_pay_page_completes_it()
    {
        var (product, memberId, member, orderId) = await PointsCashOrderAsync();
        Assert.Equal(2000, await api.BalanceAsync(memberId));

        var session = await member.PostAsync($"/api/v1/orders/{orderId}/payment", null);
        await ApiFactory.EnsureAsync(session, "start the payment");
        var pay = await ShopKit.JsonAsync(session);
        Assert.Equal(5000, pay.GetProperty("amountFen").GetInt64());
        var payUrl = pay.GetProperty("payUrl").GetString()!;

        // The page a browser opens, then the button that pays (the sandbox signs and delivers the callback).
        var page = await api.CreateClient().GetAsync(payUrl);
        await ApiFactory.EnsureAsync(page, "open the sandbox pay page");
        Assert.Contains("¥50.00", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var paid = await api.CreateClient().PostAsync(payUrl, null);
        await ApiFactory.EnsureAsync(paid, "pay in the sandbox");
        Assert.Equal("PendingShipment", (await ShopKit.JsonAsync(paid)).GetProperty("status").GetString());

        var order = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}");
        Assert.Equal("PendingShipment", order.GetProperty("status").GetString());
        Assert.Equal(pay.GetProperty("paymentReference").GetString(), order.GetProperty("paymentReference").GetString());
        Assert.Equal(1, (await api.StockAsync(product)).Committed);

        // Paying again is harmless; a paid order has no payment to start.
        await ApiFactory.EnsureAsync(await api.CreateClient().PostAsync(payUrl, null), "pay twice");
        await ShopKit.AssertProblemAsync(await member.PostAsync($"/api/v1/orders/{orderId}/payment", null), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_signed_callback_confirms_the_payment_once_and_a_forged_one_is_refused()
    {
        var (_, _, member, orderId) = await PointsCashOrderAsync();
        var sandbox = api.Services.GetRequiredService<SandboxPaymentProvider>();
        var callback = sandbox.SignCallback(orderId, 5000, DateTimeOffset.UtcNow);
        var client = api.CreateClient();

        var forged = await client.PostAsJsonAsync("/api/v1/payments/callback", callback with { Signature = new string('0', 64) });
        await ShopKit.AssertProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
        var tampered = await client.PostAsJsonAsync("/api/v1/payments/callback", callback with { AmountFen = 1 });
        await ShopKit.AssertProblemAsync(tampered, HttpStatusCode.Unauthorized, "unauthorized");
        var garbage = await client.PostAsJsonAsync("/api/v1/payments/callback", new { orderId });
        await ShopKit.AssertProblemAsync(garbage, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("PendingPayment", (await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}")).GetProperty("status").GetString());

        for (var i = 0; i < 2; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/payments/callback", callback);
            await ApiFactory.EnsureAsync(response, "deliver the callback");
            Assert.Equal("PendingShipment", (await ShopKit.JsonAsync(response)).GetProperty("status").GetString());
        }

        var order = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}");
        Assert.Equal(2, order.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("step").GetString() is "Paid" or "StockCommitted"));
    }

    [Fact]
    public async Task Cancelling_an_unpaid_points_cash_order_refunds_the_points_and_a_late_payment_is_refunded()
    {
        var (product, memberId, member, orderId) = await PointsCashOrderAsync();

        await ApiFactory.EnsureAsync(await member.PostAsync($"/api/v1/orders/{orderId}/cancel", null), "cancel");

        Assert.Equal(3000, await api.BalanceAsync(memberId));
        Assert.Equal(5, (await api.StockAsync(product)).Available);
        var sandbox = api.Services.GetRequiredService<SandboxPaymentProvider>();
        var late = await api.CreateClient().PostAsJsonAsync("/api/v1/payments/callback", sandbox.SignCallback(orderId, 5000, DateTimeOffset.UtcNow));
        await ShopKit.AssertProblemAsync(late, HttpStatusCode.Conflict, "conflict");
        Assert.True(sandbox.Refunds.ContainsKey(orderId), "a payment that arrives after cancellation is refunded");
    }

    [Fact]
    public async Task Cancelling_a_paid_points_cash_order_refunds_points_and_cash()
    {
        var (_, memberId, member, orderId) = await PointsCashOrderAsync();
        var sandbox = api.Services.GetRequiredService<SandboxPaymentProvider>();
        await ApiFactory.EnsureAsync(await api.CreateClient().PostAsJsonAsync("/api/v1/payments/callback", sandbox.SignCallback(orderId, 5000, DateTimeOffset.UtcNow)), "pay");

        await ApiFactory.EnsureAsync(await member.PostAsync($"/api/v1/orders/{orderId}/cancel", null), "cancel");

        Assert.Equal(3000, await api.BalanceAsync(memberId));
        Assert.Equal(5000, sandbox.Refunds[orderId].AmountFen);
    }

    [Fact]
    public async Task The_sandbox_pay_page_needs_the_reference_the_provider_issued()
    {
        var (_, _, _, orderId) = await PointsCashOrderAsync();
        var client = api.CreateClient();
        await ShopKit.AssertProblemAsync(await client.GetAsync($"/api/v1/sandbox/pay?order={orderId}&ref=sbx-guess"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await client.PostAsync($"/api/v1/sandbox/pay?order={orderId}&ref=sbx-guess", null), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await client.PostAsync("/api/v1/sandbox/pay?order=o-nope&ref=x", null), HttpStatusCode.NotFound, "not_found");
    }
}
