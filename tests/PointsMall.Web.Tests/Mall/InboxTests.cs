using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>
/// The shopper's account and inbox in the browser: the profile takes a birthday, an operator's announcement reaches
/// the inbox, which the shopper reads, and the rules page tells how points work.
/// </summary>
public sealed class InboxTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_sets_a_birthday_and_reads_an_operators_announcement_in_the_inbox()
    {
        var title = $"E2E 公告 Notice {Guid.NewGuid().ToString("n")[..6]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GotoAsync("/admin/announcements");
        await admin.GetByTestId("new-announcement").ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByLabel("标题 Title").FillAsync(title);
        await form.GetByLabel("内容 Body").FillAsync("周末双倍积分 Double points this weekend");
        await form.GetByRole(AriaRole.Button, new() { Name = "发布 Publish" }).ClickAsync();
        await Expect(admin.GetByTestId("announcement-row").Filter(new() { HasText = title })).ToBeVisibleAsync();

        var phone = $"136{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "消息会员", "inbox-member-password-1");
        await member.GotoAsync("/me");

        // The shopper gives a birthday in the profile (a gift of points comes on the day).
        await member.GetByTestId("edit-profile").ClickAsync();
        var profile = member.Locator("dialog.modal");
        await profile.GetByLabel("生日 Birthday").FillAsync("1995-03-08");
        await profile.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        await Expect(member.Locator(".toast").Last).ToContainTextAsync("已保存 Saved");
        await member.GetByTestId("edit-profile").ClickAsync();
        await Expect(profile.GetByLabel("生日 Birthday")).ToHaveValueAsync("1995-03-08");
        await profile.GetByRole(AriaRole.Button, new() { Name = "取消 Cancel" }).ClickAsync();

        await Expect(member.GetByTestId("inbox-unread")).ToBeVisibleAsync();
        await member.GetByTestId("inbox-link").ClickAsync();
        var notice = member.GetByTestId("inbox-item").Filter(new() { HasText = title });
        await Expect(notice).ToHaveAttributeAsync("data-read", "false");
        await WebAppFixture.ScreenshotAsync(member, "mall-inbox");

        await member.GetByTestId("mark-all-read").ClickAsync();
        await Expect(notice).ToHaveAttributeAsync("data-read", "true");
        await Expect(member.GetByTestId("unread-count")).ToContainTextAsync("0 条未读");

        // The rules page says what the birthday brings, and how tiers and expiry work.
        await member.GotoAsync("/me");
        await member.GetByTestId("rules-link").ClickAsync();
        await Expect(member.GetByTestId("rules-earn")).ToContainTextAsync("生日礼 Birthday gift");
        await Expect(member.GetByTestId("rules-tiers")).ToContainTextAsync("Diamond");
        await WebAppFixture.ScreenshotAsync(member, "mall-rules");
        Assert.Empty(app.CspViolations);
    }
}
