using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Grains.Messages;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>
/// One-time codes through the sandbox SMS provider: the code it logged signs a member in, or sets a new password, once.
/// </summary>
public sealed partial class OneTimeCodeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_member_signs_in_with_a_code_sent_by_sms_once_and_an_operator_cannot()
    {
        var (memberId, phone) = await api.RegisterAsync();
        using var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/auth/login-code", new { login = phone })).StatusCode);
        var code = SixDigits().Match(Assert.Single(Sandbox.Sent, m => m.To == "+86" + phone).Text).Value;

        var pair = await AuthKit.PairAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, code }), "sign in with the code");
        var me = await api.MeAsync(pair.AccessToken);
        Assert.Equal(memberId, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, code }), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login = "admin", code }), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_code_sent_to_the_members_phone_sets_a_new_password_once_and_ends_the_old_sessions()
    {
        var (_, phone) = await api.RegisterAsync();
        var old = await api.SignInAsync(phone, AuthKit.MemberPassword);
        using var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = phone })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = phone })).StatusCode);
        var sent = Assert.Single(Sandbox.Sent, m => m.To == "+86" + phone);
        Assert.Equal("sms", sent.Channel);
        var code = SixDigits().Match(sent.Text).Value;

        var wrong = code == "000000" ? "000001" : "000000";
        await Problems.AssertAsync(await ConfirmAsync(client, phone, wrong, "reset-password-2"), HttpStatusCode.UnprocessableEntity, "invalid_code");
        await Problems.AssertAsync(await ConfirmAsync(client, phone, code, "short"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.NoContent, (await ConfirmAsync(client, phone, code, "reset-password-2")).StatusCode);

        await Problems.AssertAsync(await ConfirmAsync(client, phone, code, "reset-password-3"), HttpStatusCode.UnprocessableEntity, "invalid_code");
        await Problems.AssertAsync(await api.MeAsync(old.AccessToken), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, password = AuthKit.MemberPassword }), HttpStatusCode.Unauthorized, "unauthorized");
        await api.SignInAsync(phone, "reset-password-2");
    }

    [Fact]
    public async Task A_login_that_does_not_exist_gets_the_same_answer_and_no_message()
    {
        using var client = api.CreateClient();
        var before = Sandbox.Sent.Count;

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = "nobody-here@example.com" })).StatusCode);

        Assert.DoesNotContain(Sandbox.Sent.Skip(before), m => m.To == "nobody-here@example.com");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/v1/auth/password-reset", new { login = "not a login" }), HttpStatusCode.BadRequest, "validation_failed");
        await Problems.AssertAsync(await ConfirmAsync(client, "nobody-here@example.com", "123456", "reset-password-2"), HttpStatusCode.UnprocessableEntity, "invalid_code");
    }

    private SandboxMessageSender Sandbox => api.Services.GetRequiredService<SandboxMessageSender>();

    private static Task<HttpResponseMessage> ConfirmAsync(HttpClient client, string login, string code, string newPassword)
        => client.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { login, code, newPassword });

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}
