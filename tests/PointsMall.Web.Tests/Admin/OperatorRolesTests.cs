using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// A super admin creates an operator of each role in the console; each signs in and sees the console its role
/// allows: the pages and buttons it may not use are not shown.
/// </summary>
public sealed class OperatorRolesTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    private const string Password = "operator-e2e-password";

    /// <summary>Per role: whether it sees the Members page, the Operators page, "New product", the rules' Save and "New campaign".</summary>
    public static TheoryData<string, string, bool, bool, bool, bool, bool> Roles => new()
    {
        { "super-admin", "超级管理员 Super admin", true, true, true, true, true },
        { "merchandiser", "商品运营 Merchandiser", false, false, true, false, true },
        { "fulfilment", "仓储发货 Fulfilment", false, false, false, false, false },
        { "customer-service", "客服 Customer service", true, false, false, false, false },
        { "analyst", "数据分析 Analyst", true, false, false, false, false },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Each_role_sees_only_the_pages_and_actions_it_may_use(
        string role, string roleText, bool members, bool operators, bool newProduct, bool saveRules, bool newCampaign)
    {
        var login = $"e2e-{role}-{Guid.NewGuid().ToString("n")[..4]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GetByRole(AriaRole.Link, new() { Name = "操作员 Operators" }).ClickAsync();
        await admin.GetByTestId("new-operator").ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByTestId("operator-login").FillAsync(login);
        await form.GetByTestId("operator-new-role").SelectOptionAsync(role);
        await form.GetByTestId("operator-password").FillAsync(Password);
        await form.GetByRole(AriaRole.Button, new() { Name = "创建 Create" }).ClickAsync();
        await Expect(admin.Locator($"[data-testid=operator-row][data-login='{login}']")).ToBeVisibleAsync();
        await ShotAsync(admin, "admin-operators");

        // The creation is in the audit log, with its request and without the password.
        await admin.GetByRole(AriaRole.Link, new() { Name = "审计日志 Audit log" }).ClickAsync();
        var created = admin.Locator("[data-testid=audit-row][data-action=CreateOperator]").First;
        await created.Locator("summary").ClickAsync();
        await Expect(created).ToContainTextAsync(login);
        Assert.DoesNotContain(Password, await created.TextContentAsync() ?? "", StringComparison.Ordinal);
        await ShotAsync(admin, "admin-audit");

        var page = await app.NewPageAsync();
        await AdminConsole.SignInAsync(page, login, Password);
        await Expect(page.GetByTestId("who")).ToContainTextAsync(roleText);
        var nav = page.Locator("#admin-nav");
        await Visible(nav.Locator("[data-section=members]"), members);
        await Visible(nav.Locator("[data-section=operators]"), operators);
        await Visible(nav.Locator("[data-section=audit]"), operators);
        await ShotAsync(page, $"admin-role-{role}");

        await nav.GetByRole(AriaRole.Link, new() { Name = "商品库存 Products" }).ClickAsync();
        await Visible(page.GetByTestId("new-product"), newProduct);
        await nav.GetByRole(AriaRole.Link, new() { Name = "规则 Rules" }).ClickAsync();
        await Expect(page.GetByTestId("rules-form")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("preview-sentence")).ToBeVisibleAsync();
        await Visible(page.GetByTestId("save-rules"), saveRules);
        await nav.GetByRole(AriaRole.Link, new() { Name = "活动 Campaigns" }).ClickAsync();
        await Visible(page.Locator("button", new() { HasText = "新建活动 New campaign" }), newCampaign);

        // A page the role may not open says so rather than failing on the server's 403.
        if (!operators)
        {
            await page.GotoAsync("/admin/operators");
            await Expect(page.Locator("#view")).ToContainTextAsync("你的角色无权查看此页");
        }

        await page.GetByTestId("who").ClickAsync();
        await Expect(page.GetByTestId("password-form")).ToContainTextAsync(login);
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task An_operator_changes_its_password_in_the_console_and_signs_in_again_with_it()
    {
        var login = $"e2e-pw-{Guid.NewGuid().ToString("n")[..4]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GotoAsync("/admin/operators");
        await admin.GetByTestId("new-operator").ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByTestId("operator-login").FillAsync(login);
        await form.GetByTestId("operator-new-role").SelectOptionAsync("analyst");
        await form.GetByTestId("operator-password").FillAsync(Password);
        await form.GetByRole(AriaRole.Button, new() { Name = "创建 Create" }).ClickAsync();
        await Expect(admin.Locator($"[data-testid=operator-row][data-login='{login}']")).ToBeVisibleAsync();

        var page = await app.NewPageAsync();
        await AdminConsole.SignInAsync(page, login, Password);
        await page.GetByTestId("who").ClickAsync();
        var passwords = page.GetByTestId("password-form");
        await passwords.GetByLabel("当前密码 Current password").FillAsync("not-my-password");
        await passwords.GetByLabel("新密码 New password").FillAsync("a-changed-password");
        await passwords.GetByRole(AriaRole.Button, new() { Name = "修改密码 Change password" }).ClickAsync();
        await Expect(page.GetByTestId("password-error")).ToHaveAttributeAsync("data-code", "wrong_password");

        await passwords.GetByLabel("当前密码 Current password").FillAsync(Password);
        await passwords.GetByRole(AriaRole.Button, new() { Name = "修改密码 Change password" }).ClickAsync();
        await Expect(page.GetByTestId("admin-login-form")).ToBeVisibleAsync();
        await AdminConsole.SignInAsync(page, login, "a-changed-password");
        await Expect(page.GetByTestId("who")).ToContainTextAsync("数据分析 Analyst");
    }

    /// <summary>
    /// Shown, or in the page but hidden (rendered first, so "hidden" is not merely "not there yet"). CSS locators, not
    /// roles: a hidden element has no role to find.
    /// </summary>
    private static async Task Visible(ILocator locator, bool visible)
    {
        if (visible)
        {
            await Expect(locator).ToBeVisibleAsync();
            return;
        }

        await Expect(locator).ToBeAttachedAsync();
        await Expect(locator).ToBeHiddenAsync();
    }

    private async Task ShotAsync(IPage page, string name) => output.WriteLine($"screenshot: {await WebAppFixture.ScreenshotAsync(page, name)}");
}
