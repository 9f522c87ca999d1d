using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PointsMall.Api.Analytics;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// An analyst opens the figures: after a shopper has browsed, the page shows it in its cards, its charts and its product
/// table, beside the points liability, the cohorts and the drop report, and exports the days as CSV.
/// </summary>
public sealed class AnalyticsTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task The_analytics_page_shows_what_shoppers_did_and_exports_it()
    {
        var tag = Guid.NewGuid().ToString("n")[..4];
        var productName = $"分析商品 Analysed {tag}";
        var admin = await app.NewPageAsync(width: 1400, height: 900);
        await AdminConsole.SignInAsync(admin);
        await AdminConsole.CreateProductAsync(admin, productName, "Virtual", points: 10, stock: 5);

        var shopper = await app.NewPageAsync(width: 414, height: 896);
        await shopper.GotoAsync("/");
        await shopper.GetByTestId("product-card").Filter(new() { HasText = productName }).ClickAsync();
        await Expect(shopper.GetByTestId("product-name")).ToHaveTextAsync(productName);

        // The node reports views every 2 s; the test hands them over now instead of waiting.
        await app.Services.GetRequiredService<ShopperActivityRecorder>().FlushAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "数据分析 Analytics" }).ClickAsync();
        var row = admin.GetByTestId("analytics-product").Filter(new() { HasText = productName });
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("td.num").First).ToHaveTextAsync("1");
        await Expect(admin.Locator(".chart canvas")).ToHaveCountAsync(3);
        await Expect(admin.GetByTestId("liability-outstanding").Locator(".value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,]+$"));
        await Expect(admin.GetByTestId("analytics-cohorts").Locator("h3")).ToContainTextAsync("Retention");
        await Expect(admin.GetByTestId("analytics-drops").Locator("h3")).ToContainTextAsync("Flash-drop report");

        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("analytics-export").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith("Day,Logins,ActiveMembers,ProductViews", csv.TrimStart('\uFEFF'), StringComparison.Ordinal);
        await WebAppFixture.ScreenshotAsync(admin, "admin-analytics");
        Assert.Empty(app.CspViolations);
    }
}
