using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>
/// Coupons in the browser: the operator sets one up in the console, a shopper claims it in the coupon centre, redeems
/// a points + cash product with it, pays the cash part, and finds the coupon used in the wallet.
/// </summary>
public sealed class CouponTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_claims_a_coupon_and_redeems_points_and_cash_with_it()
    {
        var run = Guid.NewGuid().ToString("n")[..6];
        var couponName = $"E2E 满500减100 {run}";
        var productName = $"E2E 空气炸锅 Air fryer {run}";

        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GotoAsync("/admin/coupons");
        await admin.GetByTestId("new-coupon").ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByLabel("编号 Id").FillAsync($"e2e-{run}");
        await form.GetByLabel("名称 Name").FillAsync(couponName);
        await form.GetByLabel("面值 Face value (points)").FillAsync("100");
        await form.GetByLabel("最低订单积分 Minimum order (points)").FillAsync("500");
        await form.GetByLabel("发放总量 Quantity").FillAsync("10");
        await form.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        var couponRow = admin.GetByTestId("coupon-row").Filter(new() { HasText = couponName });
        await Expect(couponRow).ToContainTextAsync("0 / 10");
        await AdminConsole.CreateProductAsync(admin, productName, "Physical", points: 600, stock: 5,
            more: f => f.GetByLabel("现金 Cash (¥)").FillAsync("49.90"));

        var phone = $"135{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "领券会员", "coupon-member-password-1");
        await AdminConsole.GrantPointsAsync(admin, phone, 1000, "1,000");
        await MallPages.AddAddressAsync(member, phone);

        // The coupon centre: claim once; the button then says it is claimed, and the wallet holds it.
        await member.GetByTestId("coupons-link").ClickAsync();
        var offer = member.GetByTestId("coupon-offer").Filter(new() { HasText = couponName });
        await offer.GetByTestId("claim-coupon").ClickAsync();
        await Expect(offer.GetByTestId("claim-coupon")).ToBeDisabledAsync();
        await Expect(member.GetByTestId("wallet-coupon").Filter(new() { HasText = couponName })).ToHaveAttributeAsync("data-status", "usable");
        await WebAppFixture.ScreenshotAsync(member, "mall-coupons");

        // The product page offers the coupon: 600 points + ¥49.90 becomes 500 points + ¥49.90.
        await member.GotoAsync("/");
        await member.GetByTestId("product-card").Filter(new() { HasText = productName }).ClickAsync();
        var coupon = member.GetByTestId("coupon");
        await Expect(coupon.Locator("option", new() { HasText = couponName })).ToHaveCountAsync(1);
        await coupon.SelectOptionAsync(new SelectOptionValue { Label = $"{couponName} −100" });
        await Expect(member.GetByTestId("total-after-coupon")).ToContainTextAsync("500");
        await member.GetByTestId("redeem").ClickAsync();
        var redeemed = member.GetByTestId("redeem-ok");
        await Expect(redeemed).ToBeVisibleAsync();
        var orderId = await redeemed.GetAttributeAsync("data-order-id");

        // The cash part is paid on the sandbox provider; the order then waits for shipment.
        await member.GotoAsync("/orders");
        var order = member.Locator($"[data-testid=order-card][data-order-id='{orderId}']");
        await Expect(order).ToHaveAttributeAsync("data-status", "PendingPayment");
        await Expect(order).ToContainTextAsync("500 积分");
        await order.GetByTestId("pay").ClickAsync();
        await Expect(order).ToHaveAttributeAsync("data-status", "PendingShipment");

        await member.GotoAsync("/points");
        await Expect(member.GetByTestId("points-balance")).ToHaveTextAsync("500");
        await member.GotoAsync("/coupons");
        await Expect(member.GetByTestId("wallet-coupon").Filter(new() { HasText = couponName })).ToHaveAttributeAsync("data-status", "used");
        await admin.GotoAsync("/admin/coupons");
        await Expect(couponRow).ToContainTextAsync("1 / 10");
        Assert.Empty(app.CspViolations);
    }
}
