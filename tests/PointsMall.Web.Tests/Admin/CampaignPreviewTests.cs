using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>A campaign's form says what a purchase earns while it runs, before it is created (default rules).</summary>
public sealed class CampaignPreviewTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task A_new_campaign_previews_what_a_purchase_earns_while_it_runs()
    {
        var admin = await app.NewPageAsync(width: 1400, height: 900);
        await AdminConsole.SignInAsync(admin);
        await admin.GetByRole(AriaRole.Link, new() { Name = "活动 Campaigns" }).ClickAsync();
        await admin.Locator("button", new() { HasText = "新建活动 New campaign" }).ClickAsync();
        var preview = admin.Locator("dialog.modal").GetByTestId("preview-sentence");

        // ¥230 by a Gold member: 23 base points × 1.5, × the campaign, floored once.
        await Expect(preview).ToHaveAttributeAsync("data-points", "69");
        await admin.Locator("dialog.modal").GetByTestId("campaign-multiplier").FillAsync("3");

        await Expect(preview).ToHaveAttributeAsync("data-points", "103");
        await Expect(preview).ToContainTextAsync("×3 campaign");
        await WebAppFixture.ScreenshotAsync(admin, "admin-campaign-preview");
        Assert.Empty(app.CspViolations);
    }
}
