using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Operators;

/// <summary>Operator accounts and roles through the API, as a super admin and its staff would use them.</summary>
public sealed class OperatorsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Password = "operator-password-1";

    [Fact]
    public async Task A_super_admin_creates_an_operator_who_signs_in_with_its_role_and_permissions()
    {
        using var admin = await factory.AdminClientAsync();
        var login = NewLogin("merch");

        var response = await admin.PostAsJsonAsync("/api/v1/admin/operators", new { login, role = "merchandiser", password = Password, displayName = "商品运营 小李" });
        await ApiFactory.EnsureAsync(response, "create an operator");
        var created = await ShopKit.JsonAsync(response);

        Assert.Equal(("merchandiser", false), (created.GetProperty("role").GetString(), created.GetProperty("disabled").GetBoolean()));
        using var merchandiser = await SignInAsync(login, Password);
        var me = await ShopKit.GetJsonAsync(merchandiser, "/api/v1/admin/me");
        Assert.Equal((login, "商品运营 小李", "merchandiser"), (me.GetProperty("login").GetString(), me.GetProperty("displayName").GetString(), me.GetProperty("role").GetString()));
        Assert.Equal(["campaigns-write", "catalog-write", "console-read", "lotteries-write", "stock-write"], Names(me.GetProperty("permissions")).Order());
        var listed = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/operators");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), o => o.GetProperty("login").GetString() == login);
    }

    [Fact]
    public async Task A_taken_login_is_a_conflict_and_bad_fields_are_validation_problems_that_create_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var login = NewLogin("cs");
        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync("/api/v1/admin/operators", new { login, role = "customer-service", password = Password }), "create an operator");

        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/operators", new { login, role = "analyst", password = Password }), HttpStatusCode.Conflict, "conflict");
        var invalid = await ShopKit.AssertProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/admin/operators", new { login = "13800138000", role = "boss", password = "short" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["login", "password", "role"], invalid.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        var operators = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/operators");
        Assert.DoesNotContain(operators.GetProperty("items").EnumerateArray(), o => o.GetProperty("login").GetString() == "13800138000");
        Assert.Equal("customer-service", operators.GetProperty("items").EnumerateArray().Single(o => o.GetProperty("login").GetString() == login).GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_new_role_ends_the_operators_sessions_and_its_next_sign_in_carries_the_new_role()
    {
        using var admin = await factory.AdminClientAsync();
        var (login, fulfilment) = await factory.OperatorClientAsync("fulfilment", Password);
        using (fulfilment)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await fulfilment.GetAsync(new Uri("/api/v1/admin/members", UriKind.Relative))).StatusCode);

            await ApiFactory.EnsureAsync(await admin.PutAsJsonAsync($"/api/v1/admin/operators/{login}", new { role = "analyst" }), "change the role");

            Assert.Equal(HttpStatusCode.Unauthorized, (await fulfilment.GetAsync(new Uri("/api/v1/admin/me", UriKind.Relative))).StatusCode);
        }

        using var analyst = await SignInAsync(login, Password);
        Assert.Equal("analyst", (await ShopKit.GetJsonAsync(analyst, "/api/v1/admin/me")).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync(new Uri("/api/v1/admin/members", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_disabled_operator_is_signed_out_and_cannot_sign_in_or_refresh_until_enabled()
    {
        using var admin = await factory.AdminClientAsync();
        var (login, analyst) = await factory.OperatorClientAsync("analyst", Password);
        var tokens = await LoginAsync(login, Password);
        using (analyst)
        {
            var response = await admin.PostAsync(new Uri($"/api/v1/admin/operators/{login}/disable", UriKind.Relative), null);
            await ApiFactory.EnsureAsync(response, "disable the operator");
            var disabled = await ShopKit.JsonAsync(response);
            Assert.True(disabled.GetProperty("disabled").GetBoolean());

            Assert.Equal(HttpStatusCode.Unauthorized, (await analyst.GetAsync(new Uri("/api/v1/admin/me", UriKind.Relative))).StatusCode);
        }

        using var anonymous = factory.CreateClient();
        await ShopKit.AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { login, password = Password }), HttpStatusCode.Unauthorized, "unauthorized");
        await ShopKit.AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() }), HttpStatusCode.Unauthorized, "unauthorized");

        await ApiFactory.EnsureAsync(await admin.PostAsync(new Uri($"/api/v1/admin/operators/{login}/enable", UriKind.Relative), null), "enable the operator");
        using var again = await SignInAsync(login, Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync(new Uri("/api/v1/admin/me", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task The_last_enabled_super_admin_stays_and_no_operator_disables_itself()
    {
        using var admin = await factory.AdminClientAsync();

        await ShopKit.AssertProblemAsync(await admin.PostAsync(new Uri("/api/v1/admin/operators/admin/disable", UriKind.Relative), null), HttpStatusCode.Conflict, "conflict");

        // A second super admin still cannot disable itself; the first can disable it, and then may not be demoted.
        var (second, secondClient) = await factory.OperatorClientAsync("super-admin", Password);
        using (secondClient)
        {
            await ShopKit.AssertProblemAsync(await secondClient.PostAsync(new Uri($"/api/v1/admin/operators/{second}/disable", UriKind.Relative), null), HttpStatusCode.Conflict, "conflict");
            await ApiFactory.EnsureAsync(await secondClient.PutAsJsonAsync($"/api/v1/admin/operators/{second}", new { displayName = "第二位超级管理员" }), "rename itself");
            await ApiFactory.EnsureAsync(await admin.PostAsync(new Uri($"/api/v1/admin/operators/{second}/disable", UriKind.Relative), null), "disable the second super admin");
        }

        await ShopKit.AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/operators/admin", new { role = "analyst" }), HttpStatusCode.Conflict, "conflict");
        Assert.Equal("super-admin", (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/me")).GetProperty("role").GetString());
    }

    [Fact]
    public async Task Customer_service_adjusts_points_up_to_its_limit_and_a_larger_adjustment_changes_nothing()
    {
        var (memberId, _) = await factory.NewMemberAsync();
        var (_, service) = await factory.OperatorClientAsync("customer-service", Password);
        using (service)
        {
            await ApiFactory.EnsureAsync(await service.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 10_000, reason = "补偿 compensation" }), "adjust within the limit");

            var refused = await ShopKit.AssertProblemAsync(
                await service.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = -10_001, reason = "too much" }), HttpStatusCode.UnprocessableEntity, "limit_exceeded");

            Assert.Contains("10000", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(10_000, await factory.BalanceAsync(memberId));
        using var admin = await factory.AdminClientAsync();
        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 50_000, reason = "super admin grant" }), "adjust beyond the limit as a super admin");
        Assert.Equal(60_000, await factory.BalanceAsync(memberId));
    }

    [Fact]
    public async Task An_operator_changes_its_own_password_only_with_the_current_one_and_is_signed_out_everywhere()
    {
        var (login, analyst) = await factory.OperatorClientAsync("analyst", Password);
        using (analyst)
        {
            await ShopKit.AssertProblemAsync(
                await analyst.PostAsJsonAsync("/api/v1/admin/me/password", new { currentPassword = "not-the-password", newPassword = "a-new-password-2" }), HttpStatusCode.UnprocessableEntity, "wrong_password");
            Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync(new Uri("/api/v1/admin/me", UriKind.Relative))).StatusCode);

            var changed = await analyst.PostAsJsonAsync("/api/v1/admin/me/password", new { currentPassword = Password, newPassword = "a-new-password-2" });

            Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await analyst.GetAsync(new Uri("/api/v1/admin/me", UriKind.Relative))).StatusCode);
        }

        using var anonymous = factory.CreateClient();
        await ShopKit.AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { login, password = Password }), HttpStatusCode.Unauthorized, "unauthorized");
        using var again = await SignInAsync(login, "a-new-password-2");
    }

    private static string NewLogin(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("n")[..8]}";

    private static IEnumerable<string> Names(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);

    private async Task<JsonElement> LoginAsync(string login, string password)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login, password });
        await ApiFactory.EnsureAsync(response, $"sign in as {login}");
        return await ShopKit.JsonAsync(response);
    }

    private async Task<HttpClient> SignInAsync(string login, string password)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await LoginAsync(login, password)).GetProperty("accessToken").GetString());
        return client;
    }
}
