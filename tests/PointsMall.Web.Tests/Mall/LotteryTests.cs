using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>
/// A lottery in the browser, both sides: the operator sets one up with a points prize and a daily limit, a shopper
/// draws and wins, the operator reads the draw in the audit trail and ends the lottery, and the shopper checks the draw
/// on the verify page, where the browser recomputes it from the published seed.
/// </summary>
public sealed class LotteryTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_draws_and_once_the_lottery_ends_verifies_the_draw_from_the_published_seed()
    {
        var name = $"E2E 幸运转盘 Wheel {Guid.NewGuid().ToString("n")[..6]}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GotoAsync("/admin/lotteries");
        await admin.GetByRole(AriaRole.Button, new() { Name = "+ 新建抽奖 New lottery" }).ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByLabel("名称 Name").FillAsync(name);
        await form.GetByLabel("每次消耗积分 Cost per draw").FillAsync("0");
        await form.GetByLabel("每人每日次数 Draws per member per day").FillAsync("3");
        await form.GetByLabel("奖项 Prize name").FillAsync("100 积分 points");
        await form.GetByLabel("概率 Probability").FillAsync("1");
        await form.GetByLabel("数量 Stock").FillAsync("1");
        await form.GetByLabel("奖励积分 Bonus points").FillAsync("100");
        await form.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        var row = admin.GetByTestId("lottery-row").Filter(new() { HasText = name });
        await Expect(row).ToBeVisibleAsync();

        // The shopper draws and wins the only unit of the points prize.
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, phone, "抽奖会员", "lottery-member-password-1");
        await member.GotoAsync("/lottery");
        await member.GetByTestId("lottery-card").Filter(new() { HasText = name }).ClickAsync();
        await Expect(member.GetByTestId("fairness")).ToContainTextAsync("At most 3 draws per member per day");
        await member.GetByTestId("draw").ClickAsync();
        await Expect(member.GetByTestId("draw-result")).ToHaveAttributeAsync("data-won", "true");
        await member.GotoAsync("/me/draws");
        var myDraw = member.GetByTestId("my-draw").Filter(new() { HasText = name });
        await Expect(myDraw).ToContainTextAsync("+100 积分 points");

        // The operator finds the draw in the audit trail, then ends the lottery, which publishes the seed.
        await row.GetByTestId("lottery-draws-link").ClickAsync();
        await Expect(admin.GetByTestId("draw-row")).ToHaveCountAsync(1);
        admin.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.GetByTestId("close-lottery").ClickAsync();
        await Expect(row).ToContainTextAsync("已结束 Ended");
        await row.GetByTestId("lottery-draws-link").ClickAsync();
        await Expect(admin.GetByTestId("lottery-seed")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));

        // The shopper's verify link carries the draw's number and recorded value; the browser recomputes both.
        await member.ReloadAsync();
        await myDraw.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("Verify") }).ClickAsync();
        await Expect(member.GetByTestId("commitment-check")).ToHaveAttributeAsync("data-match", "true");
        await Expect(member.GetByTestId("published-draw")).ToHaveAttributeAsync("data-verified", "true");
        await member.GetByTestId("verify-form").GetByRole(AriaRole.Button, new() { Name = "重算 Recompute" }).ClickAsync();
        await Expect(member.GetByTestId("verify-match")).ToHaveAttributeAsync("data-match", "true");
        await WebAppFixture.ScreenshotAsync(member, "mall-lottery-verify");
        Assert.Empty(app.CspViolations);
    }
}
