using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Support;

/// <summary>Signing in to the admin console, as every console test starts.</summary>
public static class AdminConsole
{
    /// <summary>Opens <c>/admin</c> and signs in (the admin by default); returns once the console shows who is signed in.</summary>
    public static async Task SignInAsync(IPage page, string login = "admin", string password = WebAppFixture.AdminPassword)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/admin");
        var form = page.GetByTestId("admin-login-form");
        await form.GetByLabel("账号 Login").FillAsync(login);
        await form.GetByLabel("密码 Password").FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("who")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Creates a product from the products page's form (<paramref name="more"/> fills further fields of the open form)
    /// and returns its row once the list shows it.
    /// </summary>
    public static async Task<ILocator> CreateProductAsync(IPage page, string name, string category, int points, int stock, Func<ILocator, Task>? more = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "商品库存 Products" }).ClickAsync();
        await page.GetByTestId("new-product").ClickAsync();
        var form = page.Locator("dialog.modal");
        await form.GetByTestId("product-name").FillAsync(name);
        await form.GetByTestId("product-category").SelectOptionAsync(category);
        await form.GetByTestId("product-points").FillAsync(points.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await form.GetByTestId("product-stock").FillAsync(stock.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (more is not null)
        {
            await more(form);
        }

        await form.GetByRole(AriaRole.Button, new() { Name = "创建 Create" }).ClickAsync();
        var row = page.GetByTestId("product-row").Filter(new() { HasText = name });
        await Expect(row).ToBeVisibleAsync();
        return row;
    }

    /// <summary>Grants a member points from the members page (found by its phone or e-mail) and waits for the new balance.</summary>
    public static async Task GrantPointsAsync(IPage page, string login, int amount, string expectedBalance)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"/admin/members?q={Uri.EscapeDataString(login)}");
        var memberRow = page.GetByTestId("member-row").Filter(new() { HasText = login });
        await Expect(memberRow).ToBeVisibleAsync();
        await memberRow.GetByTestId("adjust").ClickAsync();
        await page.GetByTestId("adjust-amount").FillAsync(amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByTestId("adjust-reason").FillAsync("E2E welcome bonus");
        await page.Locator("dialog.modal").GetByRole(AriaRole.Button, new() { Name = "提交 Submit" }).ClickAsync();
        await Expect(memberRow.GetByTestId("member-balance")).ToHaveTextAsync(expectedBalance);
    }
}
