using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// The operator edits the programme in a form, not as JSON: the preview says what a purchase earns under the draft
/// before it is saved, and what is saved is what shoppers are then told.
/// </summary>
public sealed class RulesTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task The_preview_follows_the_draft_and_saving_changes_what_shoppers_are_told()
    {
        var admin = await app.NewPageAsync(width: 1400, height: 900);
        await AdminConsole.SignInAsync(admin);
        await admin.GetByRole(AriaRole.Link, new() { Name = "规则 Rules" }).ClickAsync();
        var sentence = admin.GetByTestId("preview-sentence");

        // The default programme: ¥10 → 1 point; Gold earns ×1.5 (a ¥230 purchase: 23 × 1.5 = 34.5, floored to 34).
        await Expect(sentence).ToHaveAttributeAsync("data-points", "34");
        await admin.GetByTestId("rules-pointsPerStep").FillAsync("2");
        await Expect(sentence).ToHaveAttributeAsync("data-points", "69");
        await admin.GetByTestId("preview-tier").SelectOptionAsync("Regular");
        await Expect(sentence).ToHaveAttributeAsync("data-points", "46");
        await Expect(sentence).ToContainTextAsync("A ¥230.00 purchase by a Regular member earns 46 points");
        await admin.GetByTestId("rules-ladder").FillAsync("5, 10, 15");
        await Expect(admin.GetByTestId("rules-preview")).ToContainTextAsync("5 · 10 · 15");
        await WebAppFixture.ScreenshotAsync(admin, "admin-rules-form");

        await admin.GetByTestId("save-rules").ClickAsync();
        await Expect(admin.Locator(".toast").Filter(new() { HasText = "规则已保存" })).ToBeVisibleAsync();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var rules = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/rules", UriKind.Relative));
        Assert.Equal(0.2m, rules.GetProperty("pointsPerYuan").GetDecimal());
        Assert.Equal([5L, 10L, 15L], rules.GetProperty("signIn").GetProperty("ladder").EnumerateArray().Select(d => d.GetInt64()));
        output.WriteLine($"rules now: {rules}");
        Assert.Empty(app.CspViolations);
    }
}
