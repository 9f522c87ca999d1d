using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

public sealed class AuthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_registered_member_signs_in_with_phone_and_password_and_gets_a_bearer_token()
    {
        var (memberId, _) = await api.NewMemberAsync();
        Assert.StartsWith("m-", memberId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_an_unauthorized_problem()
    {
        var client = api.CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = "13900000000", password = "nope-nope-nope" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_admin_account_exists_on_first_start_with_the_configured_password()
    {
        var admin = await api.AdminClientAsync();
        Assert.NotNull(admin.DefaultRequestHeaders.Authorization);
    }

    [Fact]
    public async Task Registering_the_same_phone_twice_is_a_conflict()
    {
        var client = api.CreateClient();
        var body = new { phone = "13812345678", password = "member-password-1", displayName = "张三" };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/auth/register", body)).StatusCode);

        var again = await client.PostAsJsonAsync("/api/v1/auth/register", body);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("conflict", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Malformed_json_is_a_validation_problem_not_a_server_error()
    {
        var client = api.CreateClient();
        using var content = new StringContent("{\"phone\": ", System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/v1/auth/register", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }
}
