using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Operators;

/// <summary>The audit log of admin writes, read through the API as a super admin would.</summary>
public sealed class AuditLogTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_change_is_recorded_with_its_operator_role_target_and_the_state_before_and_after()
    {
        using var admin = await factory.AdminClientAsync();
        var productId = await ShopKit.CreateProductAsync(admin, new { name = "审计 Audited", brand = "PM", category = "Physical", pointsPrice = 10, stock = 5 });
        var (login, merchandiser) = await factory.OperatorClientAsync("merchandiser");
        using (merchandiser)
        {
            await ApiFactory.EnsureAsync(await merchandiser.PostAsJsonAsync($"/api/v1/admin/products/{productId}/restock", new { quantity = 7 }), "restock");
        }

        var entry = Assert.Single(await SearchAsync(admin, $"operator={login}"));

        Assert.Equal(("RestockProduct", "merchandiser", "POST", $"id={productId}", 200),
            (Text(entry, "action"), Text(entry, "role"), Text(entry, "method"), Text(entry, "target"), entry.GetProperty("status").GetInt32()));
        Assert.Equal(7, JsonDocument.Parse(Text(entry, "request")!).RootElement.GetProperty("quantity").GetInt32());
        Assert.Equal(5, Total(Text(entry, "before")!));
        Assert.Equal(12, Total(Text(entry, "after")!));
    }

    [Fact]
    public async Task Passwords_never_reach_the_log_and_reads_are_not_recorded()
    {
        using var admin = await factory.AdminClientAsync();
        var (login, analyst) = await factory.OperatorClientAsync("analyst", "first-secret-password");
        using (analyst)
        {
            await ApiFactory.EnsureAsync(await analyst.GetAsync(new Uri("/api/v1/admin/products", UriKind.Relative)), "read the catalogue");
        }

        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/operators/{login}/password", new { password = "second-secret-password" }), "reset the password");

        var entries = await SearchAsync(admin, $"q=/operators/{login}");
        var reset = Assert.Single(entries);
        Assert.Equal("ResetOperatorPassword", Text(reset, "action"));
        var created = Assert.Single(await SearchAsync(admin, "operator=admin&action=CreateOperator"), e => Text(e, "request")!.Contains(login, StringComparison.Ordinal));
        var everything = JsonSerializer.Serialize(new[] { reset, created });
        Assert.DoesNotContain("first-secret-password", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("second-secret-password", everything, StringComparison.Ordinal);
        Assert.Empty(await SearchAsync(admin, $"operator={login}"));
    }

    [Fact]
    public async Task A_refused_write_is_recorded_with_its_status_and_an_unchanged_target()
    {
        using var admin = await factory.AdminClientAsync();
        var productId = await ShopKit.CreateProductAsync(admin, new { name = "审计 Refused", brand = "PM", category = "Physical", pointsPrice = 10, stock = 3 });

        var refused = await admin.PostAsJsonAsync($"/api/v1/admin/products/{productId}/restock", new { quantity = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var entry = Assert.Single(await SearchAsync(admin, $"action=RestockProduct&q={productId}"));
        Assert.Equal(400, entry.GetProperty("status").GetInt32());
        Assert.Equal(Text(entry, "before"), Text(entry, "after"));
    }

    private static async Task<IReadOnlyList<JsonElement>> SearchAsync(HttpClient admin, string query)
        => [.. (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/audit?{query}")).GetProperty("items").EnumerateArray()];

    private static string? Text(JsonElement entry, string name) => entry.GetProperty(name).GetString();

    private static long Total(string productJson) => JsonDocument.Parse(productJson).RootElement.GetProperty("total").GetInt64();
}
