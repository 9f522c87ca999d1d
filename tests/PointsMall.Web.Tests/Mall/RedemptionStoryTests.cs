using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>
/// The whole story through the browser only: the operator creates a product, a member registers, earns points,
/// redeems, the operator ships, the member confirms receipt. Screenshots of the main pages are saved on the way.
/// </summary>
public sealed partial class RedemptionStoryTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_member_redeems_a_new_product_and_confirms_receipt_after_the_operator_ships_it()
    {
        var productName = $"E2E 保温杯 Thermos {Guid.NewGuid().ToString("n")[..6]}";
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        const string memberPassword = "member-e2e-password";

        // The operator signs in and creates a physical product: 300 points, 5 in stock.
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        var productRow = await AdminConsole.CreateProductAsync(admin, productName, "Physical", points: 300, stock: 5);
        await Expect(productRow).ToContainTextAsync("在售 On");
        await ShotAsync(admin, "admin-products");

        // A member registers in the mall (and is signed in by it).
        var member = await app.NewPageAsync(width: 414, height: 896);
        await member.GotoAsync("/register");
        var register = member.GetByTestId("register-form");
        await register.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await register.GetByLabel("昵称 Display name").FillAsync("端到端会员");
        await register.GetByLabel("密码 Password").FillAsync(memberPassword);
        await register.GetByRole(AriaRole.Button, new() { Name = "注册并登录 Register" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");

        // The member earns: the operator grants 1,000 points, then the member signs in for today.
        await AdminConsole.GrantPointsAsync(admin, phone, 1000, "1,000");

        await member.GotoAsync("/checkin");
        await member.GetByTestId("sign-in").ClickAsync();
        var signedIn = member.GetByTestId("sign-in-ok");
        await Expect(signedIn).ToBeVisibleAsync();
        await Expect(member.GetByTestId("sign-in")).ToBeDisabledAsync();
        var afterSignIn = ParsePoints(await signedIn.GetAttributeAsync("data-balance") ?? "0");
        Assert.True(afterSignIn > 1000, $"Signing in should add points to the 1,000 granted; the balance is {afterSignIn}.");

        // A shipping address, then the redemption from the product page.
        await MallPages.AddAddressAsync(member, phone);

        await member.GotoAsync("/");
        var card = member.GetByTestId("product-card").Filter(new() { HasText = productName });
        await Expect(card).ToBeVisibleAsync();
        await ShotAsync(member, "home");
        await card.ClickAsync();
        await Expect(member.GetByTestId("product-name")).ToHaveTextAsync(productName);
        await Expect(member.GetByTestId("product-stock")).ToHaveAttributeAsync("data-available", "5");
        await ShotAsync(member, "product");
        await member.GetByTestId("redeem").ClickAsync();
        var redeemed = member.GetByTestId("redeem-ok");
        await Expect(redeemed).ToBeVisibleAsync();
        var orderId = await redeemed.GetAttributeAsync("data-order-id");
        Assert.False(string.IsNullOrEmpty(orderId), "The redemption answer should name the order.");
        await Expect(member.GetByTestId("product-stock")).ToHaveAttributeAsync("data-available", "4");

        await member.GotoAsync("/orders");
        var memberOrder = member.Locator($"[data-testid=order-card][data-order-id='{orderId}']");
        await Expect(memberOrder).ToHaveAttributeAsync("data-status", "PendingShipment");
        await ShotAsync(member, "orders");

        // The operator ships it with a carrier and a tracking number.
        await admin.GotoAsync("/admin/orders?status=PendingShipment");
        var adminOrder = admin.Locator($"[data-testid=order-row][data-order-id='{orderId}']");
        await Expect(adminOrder).ToBeVisibleAsync();
        await ShotAsync(admin, "admin-orders");
        await adminOrder.GetByTestId("ship").ClickAsync();
        await admin.GetByTestId("carrier").FillAsync("SF");
        await admin.GetByTestId("tracking-number").FillAsync("SF1234567890");
        await admin.Locator("dialog.modal").GetByRole(AriaRole.Button, new() { Name = "确认发货 Ship" }).ClickAsync();

        // The console says when the shipment is recorded; leaving the page before that would abort the request.
        await Expect(admin.Locator(".toast").Filter(new() { HasText = "已发货 Shipped" })).ToBeVisibleAsync();
        await admin.GotoAsync("/admin/orders?status=Shipped");
        await Expect(admin.Locator($"[data-testid=order-row][data-order-id='{orderId}']")).ToContainTextAsync("SF1234567890");

        // The member sees the tracking number and confirms receipt, which completes the order.
        await member.GotoAsync("/orders");
        await Expect(memberOrder).ToHaveAttributeAsync("data-status", "Shipped");
        await Expect(memberOrder.GetByTestId("tracking")).ToContainTextAsync("SF1234567890");
        await member.GotoAsync($"/orders/{orderId}");
        await Expect(member.GetByTestId("order-address")).ToContainTextAsync("世纪大道 100 号");
        await Expect(member.GetByTestId("tracking-events").Locator("li[data-status=shipped]")).ToBeVisibleAsync();
        await ShotAsync(member, "order-tracking");
        await member.GotoAsync("/orders");
        await memberOrder.GetByTestId("confirm-receipt").ClickAsync();
        await Expect(memberOrder).ToHaveAttributeAsync("data-status", "Completed");

        // Points: exactly the 300 spent left the balance, and the history shows the grant and the spend.
        await member.GotoAsync("/points");
        await Expect(member.GetByTestId("points-balance")).ToHaveTextAsync((afterSignIn - 300).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(member.GetByTestId("ledger")).ToContainTextAsync("-300");
        await ShotAsync(member, "points");

        output.WriteLine($"Screenshots: {WebAppFixture.ScreenshotDirectory}");
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task A_member_without_enough_points_is_told_so_in_words_and_no_order_is_placed()
    {
        var productName = $"E2E 耳机 Earbuds {Guid.NewGuid().ToString("n")[..6]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await AdminConsole.CreateProductAsync(admin, productName, "Virtual", points: 5000, stock: 3);

        var member = await app.NewPageAsync(width: 414, height: 896);
        await member.GotoAsync("/register");
        var register = member.GetByTestId("register-form");
        await register.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync($"138{Random.Shared.Next(10_000_000, 99_999_999)}");
        await register.GetByLabel("昵称 Display name").FillAsync("没积分的会员");
        await register.GetByLabel("密码 Password").FillAsync("member-e2e-password");
        await register.GetByRole(AriaRole.Button, new() { Name = "注册并登录 Register" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");

        await member.GetByTestId("product-card").Filter(new() { HasText = productName }).ClickAsync();
        await member.GetByTestId("redeem").ClickAsync();
        var refusal = member.GetByTestId("redeem-error");
        await Expect(refusal).ToHaveAttributeAsync("data-code", "insufficient_points");
        await Expect(refusal).ToContainTextAsync("积分不足");
        await Expect(member.GetByTestId("product-stock")).ToHaveAttributeAsync("data-available", "3");

        // The refused attempt may be listed as a cancelled order, but nothing was placed and no points moved.
        await member.GotoAsync("/orders");
        await Expect(member.GetByTestId("orders")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(member.Locator("[data-testid=order-card]:not([data-status=Cancelled])")).ToHaveCountAsync(0);
        await member.GotoAsync("/points");
        await Expect(member.GetByTestId("points-balance")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task The_web_ui_never_shadows_the_api_and_deep_links_load_the_right_app()
    {
        var page = await app.NewPageAsync();
        var unknownApi = await page.APIRequest.GetAsync("/api/v1/no-such-route");
        Assert.Equal(404, unknownApi.Status);
        Assert.Contains("problem+json", unknownApi.Headers["content-type"], StringComparison.Ordinal);

        var health = await page.APIRequest.GetAsync("/health/live");
        Assert.Equal(200, health.Status);

        await page.GotoAsync("/admin/orders");
        await Expect(page.GetByTestId("admin-login-form")).ToBeVisibleAsync();
        await page.GotoAsync("/orders");
        await Expect(page.GetByTestId("login-form")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(LoginRedirect());

        // The API's browsable docs render their operations under their own policy.
        await page.GotoAsync("/docs/");
        await Expect(page.Locator(".opblock").First).ToBeVisibleAsync();
        Assert.Empty(app.CspViolations);
    }

    private async Task ShotAsync(IPage page, string name)
    {
        var path = await WebAppFixture.ScreenshotAsync(page, name);
        output.WriteLine($"screenshot: {path}");
    }

    private static long ParsePoints(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("/login\\?next=%2Forders$")]
    private static partial Regex LoginRedirect();
}
