using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// Every page of the console, opened from its navigation as a super admin on a mall with a little of everything in it:
/// each shows its title, finishes loading, shows no problem and breaks no content-security rule; each is saved as a
/// screenshot. (What each role may see is <see cref="OperatorRolesTests"/>; what each page does, the tests beside it.)
/// </summary>
public sealed class ConsolePagesTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    /// <summary>The navigation link, the page's English title, and an element only that page draws.</summary>
    public static TheoryData<string, string, string> Pages => new()
    {
        { "概览 Overview", "Overview", ".stats .stat" },
        { "数据分析 Analytics", "Analytics", "[data-testid=kpi-redemptions]" },
        { "商品库存 Products", "Products & stock", "[data-testid=products-table]" },
        { "商品分类 Sections", "Sections", "[data-testid=new-section]" },
        { "库存预警 Low stock", "Low-stock alerts", "#view table, #view .alert.ok" },
        { "订单发货 Orders", "Orders & shipping", "#view table, #view .empty" },
        { "会员积分 Members", "Members & points", "#view table, #view .empty" },
        { "规则 Rules", "Rules", "[data-testid=rules-form]" },
        { "活动 Campaigns", "Campaigns", "#view .toolbar" },
        { "抽奖 Lotteries", "Lotteries", "#view .toolbar, #view table, #view .empty" },
        { "操作员 Operators", "Operators", "[data-testid=new-operator]" },
        { "审计日志 Audit log", "Audit log", "[data-testid=audit-filters]" },
        { "我的账号 My account", "My account", "#view form, #view .card" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_console_page_loads_without_a_problem(string link, string title, string drawn)
    {
        var page = await app.NewPageAsync(width: 1400, height: 900);
        await AdminConsole.SignInAsync(page);
        await AdminConsole.CreateProductAsync(page, $"页面巡检 Page tour {Guid.NewGuid().ToString("n")[..4]}", "Virtual", points: 10, stock: 3);

        await page.Locator("#admin-nav").GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();

        await Expect(page.Locator("#title .en")).ToHaveTextAsync(title);
        await Expect(page.Locator("#view .loading")).ToHaveCountAsync(0);
        await Expect(page.Locator(drawn).First).ToBeVisibleAsync();
        await Expect(page.Locator("#view [role=alert]")).ToHaveCountAsync(0);
        var name = System.Text.RegularExpressions.Regex.Replace(title.ToLowerInvariant(), "[^a-z]+", "-").Trim('-');
        output.WriteLine($"screenshot: {await WebAppFixture.ScreenshotAsync(page, $"admin-page-{name}")}");
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task The_packing_list_opens_from_the_orders_page()
    {
        var page = await app.NewPageAsync(width: 1400, height: 900);
        await AdminConsole.SignInAsync(page);
        await page.GotoAsync("/admin/packing");

        await Expect(page.Locator("#title .en")).ToHaveTextAsync("Packing list");
        await Expect(page.Locator("#view .loading")).ToHaveCountAsync(0);
        await Expect(page.Locator("#view [role=alert]")).ToHaveCountAsync(0);
        Assert.Empty(app.CspViolations);
    }
}
