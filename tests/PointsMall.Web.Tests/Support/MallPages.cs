using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Support;

/// <summary>The shopper's account steps the mall tests share, through the mall's own forms.</summary>
public static class MallPages
{
    /// <summary>Registers a member on <c>/register</c> (which signs it in) and returns once the home page shows its balance.</summary>
    public static async Task RegisterAsync(IPage page, string phone, string displayName, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/register");
        var register = page.GetByTestId("register-form");
        await register.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(phone);
        await register.GetByLabel("昵称 Display name").FillAsync(displayName);
        await register.GetByLabel("密码 Password").FillAsync(password);
        await register.GetByRole(AriaRole.Button, new() { Name = "注册并登录 Register" }).ClickAsync();
        await Expect(page.GetByTestId("hero-balance")).ToHaveTextAsync("0");
    }

    /// <summary>Signs in on <c>/login</c> (the page must be open) and returns once the home page shows the balance.</summary>
    public static async Task SignInAsync(IPage page, string login, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        var form = page.GetByTestId("login-form");
        await form.GetByLabel("手机号或邮箱 Phone or e-mail").FillAsync(login);
        await form.GetByLabel("密码 Password").FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("hero-balance")).ToBeVisibleAsync();
    }

    /// <summary>Adds a shipping address on <c>/me</c> and returns once the address book shows it.</summary>
    public static async Task AddAddressAsync(IPage page, string phone, string street = "世纪大道 100 号")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/me");
        await page.GetByTestId("add-address").ClickAsync();
        var addressForm = page.Locator("dialog.modal");
        await addressForm.GetByLabel("收件人 Recipient").FillAsync("张三");
        await addressForm.GetByLabel("手机 Phone").FillAsync(phone);
        await addressForm.GetByLabel("地区 Region").FillAsync("上海市 浦东新区");
        await addressForm.GetByLabel("详细地址 Street address").FillAsync(street);
        await addressForm.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        await Expect(page.GetByText(street)).ToBeVisibleAsync();
    }
}
