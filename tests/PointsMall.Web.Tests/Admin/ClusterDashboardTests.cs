using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// The operator opens the Orleans Dashboard from the admin console: the console trades its token for the dashboard's
/// cookie, and the dashboard's own data calls get through with it.
/// </summary>
public sealed partial class ClusterDashboardTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task The_operator_opens_the_cluster_dashboard_from_the_console_and_its_data_calls_are_let_through()
    {
        var page = await app.NewPageAsync();
        var refused = new List<string>();
        page.Response += (_, r) =>
        {
            if (r.Url.Contains("/dashboard", StringComparison.Ordinal) && r.Status is 401 or 403)
            {
                refused.Add($"{r.Status} {r.Url}");
            }
        };

        // Before signing in, the dashboard refuses the browser.
        var anonymous = await page.GotoAsync("/dashboard/");
        Assert.Equal(401, anonymous!.Status);

        await AdminConsole.SignInAsync(page);
        await Expect(page.Locator("#who")).ToContainTextAsync("admin");
        refused.Clear();

        var counters = page.WaitForResponseAsync(r => r.Url.EndsWith("/dashboard/DashboardCounters", StringComparison.Ordinal) && r.Status == 200);
        await page.GetByRole(AriaRole.Link, new() { Name = "集群看板 Cluster dashboard" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(DashboardUrl());
        await Expect(page).ToHaveTitleAsync("Orleans Dashboard");
        await counters;

        var path = await WebAppFixture.ScreenshotAsync(page, "admin-cluster-dashboard");
        output.WriteLine($"screenshot: {path}");
        Assert.Empty(refused);
        Assert.Empty(app.CspViolations);
    }

    [GeneratedRegex("/dashboard/$")]
    private static partial Regex DashboardUrl();
}
