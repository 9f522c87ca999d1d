using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// After a stock count the operator sets a product's total with a reason in the console, and finds the change, with
/// the stock before and after, in the product's history (the audit log).
/// </summary>
public sealed class StockCountTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task The_operator_sets_the_stock_after_a_count_and_sees_it_in_the_products_history()
    {
        var productName = $"盘点商品 Counted {Guid.NewGuid().ToString("n")[..4]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        var row = await AdminConsole.CreateProductAsync(admin, productName, "Virtual", points: 100, stock: 50);

        await row.GetByTestId("set-stock").ClickAsync();
        var count = admin.Locator("dialog.modal");
        await count.GetByTestId("stock-total").FillAsync("42");
        await count.GetByTestId("stock-reason").FillAsync("月末盘点 month-end count");
        await count.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        await Expect(row.Locator("td.num").Nth(3)).ToHaveTextAsync("42");
        await Expect(row.Locator("td.num").Nth(4)).ToHaveTextAsync("0");

        await row.GetByRole(AriaRole.Link, new() { Name = "变更记录 History" }).ClickAsync();
        var entry = admin.Locator("[data-testid=audit-row][data-action=SetProductStock]");
        await Expect(entry).ToHaveCountAsync(1);
        await entry.Locator("summary").ClickAsync();
        await Expect(entry).ToContainTextAsync("月末盘点");
        await Expect(entry).ToContainTextAsync("\"total\":42");
        output.WriteLine($"screenshot: {await WebAppFixture.ScreenshotAsync(admin, "admin-stock-history")}");
        Assert.Empty(app.CspViolations);
    }
}
