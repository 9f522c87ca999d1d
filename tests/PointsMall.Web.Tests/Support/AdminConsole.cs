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
}
