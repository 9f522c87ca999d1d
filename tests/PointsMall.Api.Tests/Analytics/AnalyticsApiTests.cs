using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Analytics;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Analytics;

/// <summary>The operators' figures: what shoppers did at the API and what the outbox carried, per day, and as CSV.</summary>
public sealed class AnalyticsApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Views_searches_sign_ins_and_redemptions_show_in_the_days_figures_and_the_csv()
    {
        using var admin = await api.AdminClientAsync();
        var tag = Guid.NewGuid().ToString("n")[..6];
        var product = await ShopKit.CreateProductAsync(admin, new { name = $"分析 Analytics {tag}", category = "Virtual", pointsPrice = 120, stock = 5 });
        var (_, member) = await api.MemberWithPointsAsync(1000);

        await ShopKit.GetJsonAsync(member, $"/api/v1/products/{product}");
        await ShopKit.GetJsonAsync(member, $"/api/v1/products/{product}");
        await ShopKit.GetJsonAsync(member, $"/api/v1/products?q={tag}");
        await ShopKit.GetJsonAsync(member, "/api/v1/products?q=nothing-matches-this");
        await ShopKit.RedeemOkAsync(member, product);
        await api.Services.GetRequiredService<ShopperActivityRecorder>().FlushAsync();

        var report = await EventuallyAsync(admin, r => Product(r, product) is { } p && p.GetProperty("redemptions").GetInt64() == 1, "the redemption in the figures");

        var row = Product(report, product)!.Value;
        Assert.Equal((2L, 1L, 120L, 0.5m), (row.GetProperty("views").GetInt64(), row.GetProperty("units").GetInt64(), row.GetProperty("points").GetInt64(), row.GetProperty("conversion").GetDecimal()));
        var totals = report.GetProperty("totals");
        Assert.True(totals.GetProperty("logins").GetInt64() >= 1, report.ToString());
        Assert.Contains(tag, report.GetProperty("topSearches").EnumerateArray().Select(k => k.GetProperty("keyword").GetString()));
        Assert.Contains("nothing-matches-this", report.GetProperty("topSearchesWithoutResults").EnumerateArray().Select(k => k.GetProperty("keyword").GetString()));
        Assert.True(report.GetProperty("spentBySource").EnumerateObject().Sum(p => p.Value.GetInt64()) >= 120, report.ToString());

        var csv = await admin.GetAsync("/api/v1/admin/analytics/export");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("Day,Logins,ActiveMembers,ProductViews,Searches,SearchesWithoutResults,Redemptions", lines[0], StringComparison.Ordinal);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public async Task A_sold_out_drop_shows_its_attempts_refusals_and_time_to_sell_out_beside_the_cohorts_and_the_liability()
    {
        using var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = $"秒杀 Drop {Guid.NewGuid():n}"[..20], category = "Virtual", pointsPrice = 100, stock = 2 });
        var shoppers = new List<HttpClient>();
        for (var i = 0; i < 3; i++)
        {
            shoppers.Add((await api.MemberWithPointsAsync(500)).Client);
        }

        await ShopKit.RedeemOkAsync(shoppers[0], product);
        await ShopKit.RedeemOkAsync(shoppers[1], product);
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(shoppers[2], product), HttpStatusCode.Conflict, "sold_out");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(shoppers[2], "no-such-product"), HttpStatusCode.NotFound, "not_found");
        await api.Services.GetRequiredService<ShopperActivityRecorder>().FlushAsync();

        var report = await EventuallyAsync(admin, r => r.GetProperty("liability").GetProperty("outstanding").GetInt64() >= 1300, "the shoppers' points in the liability");

        var drop = Assert.Single(report.GetProperty("drops").EnumerateArray(), d => d.GetProperty("productId").GetString() == product);
        Assert.Equal((3L, 2L, 1L), (drop.GetProperty("attempts").GetInt64(), drop.GetProperty("granted").GetInt64(), drop.GetProperty("refusals").GetProperty("sold_out").GetInt64()));
        Assert.True(drop.GetProperty("inArrivalOrder").GetBoolean());
        Assert.True(drop.GetProperty("secondsToSellOut").GetDecimal() >= 0, drop.ToString());
        Assert.StartsWith("秒杀 Drop", drop.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(report.GetProperty("drops").EnumerateArray(), d => d.GetProperty("productId").GetString() == "no-such-product");

        var cohorts = report.GetProperty("cohorts");
        Assert.Equal(7, cohorts.GetArrayLength());
        var today = cohorts[6];
        Assert.True(today.GetProperty("newMembers").GetInt64() >= 3, today.ToString());
        Assert.Equal(JsonValueKind.Null, today.GetProperty("d1").ValueKind);
        // Every grant in this host is a lot of the default policy (12 months): none of it expires soon, none never does.
        var liability = report.GetProperty("liability");
        Assert.Equal((0L, 0L, 0L), (liability.GetProperty("expiringWithin90Days").GetInt64(), liability.GetProperty("neverExpiring").GetInt64(),
            liability.GetProperty("awaitingExpiry").GetInt64()));
    }

    [Theory]
    [InlineData("from=2026-12-07&to=2026-12-01")]
    [InlineData("from=2026-01-01&to=2026-12-01")]
    [InlineData("from=yesterday")]
    public async Task A_backwards_too_long_or_unreadable_range_is_a_validation_problem(string query)
    {
        using var admin = await api.AdminClientAsync();

        await ShopKit.AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/analytics?{query}"), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/analytics/export?{query}"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task An_analyst_reads_the_figures_and_a_shopper_does_not()
    {
        var (_, analyst) = await api.OperatorClientAsync("analyst");
        var (_, member) = await api.MemberWithPointsAsync(0);

        Assert.Equal(7, (await ShopKit.GetJsonAsync(analyst, "/api/v1/admin/analytics")).GetProperty("days").GetArrayLength());
        await ShopKit.AssertProblemAsync(await member.GetAsync("/api/v1/admin/analytics"), HttpStatusCode.Forbidden, "forbidden");
    }

    private static JsonElement? Product(JsonElement report, string id)
        => report.GetProperty("products").EnumerateArray().Where(p => p.GetProperty("productId").GetString() == id).Select(p => (JsonElement?)p).FirstOrDefault();

    private static async Task<JsonElement> EventuallyAsync(HttpClient admin, Func<JsonElement, bool> condition, string what)
    {
        JsonElement report = default;
        await ShopKit.EventuallyAsync(async () => condition(report = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/analytics")), what);
        return report;
    }
}
