using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Mall;

/// <summary>Earning in the browser: the operator writes a quiz in the console, a shopper answers it, the server scores it.</summary>
public sealed class TaskTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_shopper_answers_an_operators_quiz_and_earns_what_the_server_scores_once()
    {
        var run = Guid.NewGuid().ToString("n")[..6];
        var title = $"E2E 积分问答 Quiz {run}";
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GotoAsync("/admin/surveys");
        await admin.GetByTestId("new-survey").ClickAsync();
        var form = admin.Locator("dialog.modal");
        await form.GetByLabel("编号 Id").FillAsync($"quiz-{run}");
        await form.GetByLabel("类型 Kind").SelectOptionAsync("quiz");
        await form.GetByLabel("标题 Title").FillAsync(title);
        await form.GetByTestId("survey-questions").FillAsync("1 + 1 = ?\n1\n*2\n3\n\n积分会过期吗？\n*会 Yes\n不会 No");
        await form.GetByLabel("积分 Points (survey: on completion; quiz: per right answer)").FillAsync("7");
        await form.GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        await Expect(admin.GetByTestId("survey-row").Filter(new() { HasText = title })).ToBeVisibleAsync();

        var member = await app.NewPageAsync(width: 414, height: 896);
        await MallPages.RegisterAsync(member, $"137{Random.Shared.Next(10_000_000, 99_999_999)}", "答题会员", "quiz-member-password-1");
        await member.GotoAsync("/checkin");
        await member.GetByTestId("more-tasks").ClickAsync();
        var card = member.GetByTestId("survey-card").Filter(new() { HasText = title });
        await card.GetByTestId("answer-survey").ClickAsync();
        var quiz = member.GetByTestId("survey-form");
        await quiz.GetByTestId("survey-question").Nth(0).GetByLabel("2").CheckAsync();
        await quiz.GetByTestId("survey-question").Nth(1).GetByLabel("不会 No").CheckAsync();
        await member.Locator("dialog.modal").GetByRole(AriaRole.Button, new() { Name = "提交 Submit" }).ClickAsync();

        // One of two right: 7 points, and the quiz is done (it pays once).
        await Expect(card).ToHaveAttributeAsync("data-answered", "true");
        await Expect(card.GetByTestId("survey-result")).ToContainTextAsync("1/2");
        await Expect(card.GetByTestId("answer-survey")).ToHaveCountAsync(0);
        await WebAppFixture.ScreenshotAsync(member, "mall-tasks");
        await member.GotoAsync("/points");
        await Expect(member.GetByTestId("points-balance")).ToHaveTextAsync("7");
        await Expect(member.GetByTestId("ledger")).ToContainTextAsync(title);
        await admin.GotoAsync("/admin/surveys");
        await Expect(admin.GetByTestId("survey-row").Filter(new() { HasText = title })).ToContainTextAsync("1");
        Assert.Empty(app.CspViolations);
    }
}
