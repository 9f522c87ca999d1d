using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>A shopper's own account in the browser: changing the password ends the session, and the new one signs in.</summary>
public sealed class AccountTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_changes_the_password_and_signs_in_again_with_the_new_one()
    {
        var phone = $"133{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await member.GotoAsync("/register");
        var register = member.GetByTestId("register-form");
        await register.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await register.GetByLabel("昵称 Display name").FillAsync("改密会员");
        await register.GetByLabel("密码 Password").FillAsync("first-password-1");
        await register.GetByRole(AriaRole.Button, new() { Name = "注册并登录 Register" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");

        await member.GotoAsync("/me");
        await member.GetByTestId("change-password").ClickAsync();
        var dialog = member.Locator("dialog.modal");
        await dialog.GetByLabel("当前密码 Current password").FillAsync("not-the-password");
        await dialog.GetByLabel("新密码 New password").FillAsync("second-password-2");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "修改 Change" }).ClickAsync();
        await Expect(member.Locator(".toast").Last).ToContainTextAsync("The current password is wrong");

        await member.GetByTestId("change-password").ClickAsync();
        await dialog.GetByLabel("当前密码 Current password").FillAsync("first-password-1");
        await dialog.GetByLabel("新密码 New password").FillAsync("second-password-2");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "修改 Change" }).ClickAsync();
        await Expect(member.GetByTestId("login-form")).ToBeVisibleAsync();

        var login = member.GetByTestId("login-form");
        await login.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await login.GetByLabel("密码 Password").FillAsync("second-password-2");
        await login.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");
        await WebAppFixture.ScreenshotAsync(member, "mall-signed-in-after-password-change");
        Assert.Empty(app.CspViolations);
    }
}
