using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PointsMall.Grains.Messages;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>
/// A shopper's own account in the browser: changing the password ends the session, and the new one signs in; a
/// forgotten one is reset with the code the sandbox SMS provider logged.
/// </summary>
public sealed partial class AccountTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_changes_the_password_and_signs_in_again_with_the_new_one()
    {
        var phone = $"133{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "改密会员", "first-password-1");

        await member.GotoAsync("/me");
        await Expect(member.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/register\\?ref=m-[0-9a-f]+$"));
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

        await MallPages.SignInAsync(member, phone, "second-password-2");
        await WebAppFixture.ScreenshotAsync(member, "mall-signed-in-after-password-change");
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task A_shopper_who_forgot_the_password_resets_it_with_the_code_sent_by_sms()
    {
        var phone = $"132{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "忘记密码", "forgotten-password-1");
        await member.GotoAsync("/me");
        await member.GetByTestId("logout").ClickAsync();

        await member.GotoAsync("/login");
        await member.GetByTestId("forgot-password").ClickAsync();
        var ask = member.GetByTestId("code-request-form");
        await ask.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await ask.GetByRole(AriaRole.Button, new() { Name = "发送验证码 Send code" }).ClickAsync();
        var confirm = member.GetByTestId("code-confirm-form");
        await Expect(confirm).ToBeVisibleAsync();

        var sms = app.Services.GetRequiredService<SandboxMessageSender>().Sent.Last(m => m.To == "+86" + phone);
        await confirm.GetByLabel("验证码 Code").FillAsync(SixDigits().Match(sms.Text).Value);
        await confirm.GetByLabel("新密码 New password").FillAsync("remembered-password-2");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "重置密码 Reset password" }).ClickAsync();

        await MallPages.SignInAsync(member, phone, "remembered-password-2");
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task A_shopper_signs_in_with_a_code_sent_by_sms_instead_of_the_password()
    {
        var phone = $"131{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "验证码会员", "code-member-password-1");
        await member.GotoAsync("/me");
        await member.GetByTestId("logout").ClickAsync();

        await member.GotoAsync("/login");
        await member.GetByTestId("sign-in-with-code").ClickAsync();
        var ask = member.GetByTestId("code-request-form");
        await ask.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await ask.GetByRole(AriaRole.Button, new() { Name = "发送验证码 Send code" }).ClickAsync();
        var confirm = member.GetByTestId("code-confirm-form");
        await Expect(confirm).ToBeVisibleAsync();

        var sms = app.Services.GetRequiredService<SandboxMessageSender>().Sent.Last(m => m.To == "+86" + phone);
        await confirm.GetByLabel("验证码 Code").FillAsync(SixDigits().Match(sms.Text).Value);
        await confirm.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Expect(member.GetByTestId("hero-balance")).ToHaveTextAsync("0");
        Assert.Empty(app.CspViolations);
    }

    [Fact]
    public async Task A_shopper_moves_to_a_new_phone_with_the_code_sent_there_and_signs_in_with_it()
    {
        var phone = $"134{Random.Shared.Next(10_000_000, 99_999_999)}";
        var newPhone = $"147{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "换号会员", "moving-member-password-1");

        await member.GotoAsync("/me");
        await member.GetByTestId("change-login").ClickAsync();
        var dialog = member.Locator("dialog.modal");
        await dialog.GetByLabel("新手机号或邮箱 New phone or e-mail").FillAsync(newPhone);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "发送验证码 Send code" }).ClickAsync();
        await Expect(dialog.GetByLabel("验证码 Code")).ToBeVisibleAsync();
        var sms = app.Services.GetRequiredService<SandboxMessageSender>().Sent.Last(m => m.To == "+86" + newPhone);
        await dialog.GetByLabel("验证码 Code").FillAsync(SixDigits().Match(sms.Text).Value);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "确认更换 Change" }).ClickAsync();
        await Expect(member.Locator(".toast").Last).ToContainTextAsync("sign in with the new one");

        await member.GetByTestId("logout").ClickAsync();
        await member.GotoAsync("/login");
        await MallPages.SignInAsync(member, newPhone, "moving-member-password-1");
        Assert.Empty(app.CspViolations);
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}
