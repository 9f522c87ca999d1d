using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Auth;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Members;

/// <summary>A member moves to a new phone or e-mail with the code sent to it; the old one is given up.</summary>
public sealed class LoginChangeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_member_moves_to_a_new_phone_with_the_code_sent_there_and_gives_up_the_old_one()
    {
        var (memberId, oldPhone) = await api.RegisterAsync();
        using var member = api.CreateClient();
        await ApiFactory.SignInAsync(member, oldPhone, AuthKit.MemberPassword);
        var newPhone = $"135{Random.Shared.Next(10_000_000, 99_999_999)}";

        Assert.Equal(HttpStatusCode.Accepted, (await member.PostAsJsonAsync("/api/v1/me/login/code", new { login = newPhone })).StatusCode);
        var code = api.LastCodeTo("+86" + newPhone);
        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login", new { login = newPhone, code = code == "000000" ? "111111" : "000000" }),
            HttpStatusCode.UnprocessableEntity, "invalid_code");
        var changed = await member.PostAsJsonAsync("/api/v1/me/login", new { login = newPhone, code });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("+86" + newPhone, (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("phone").GetString());
        var signedIn = await api.SignInAsync(newPhone, AuthKit.MemberPassword);
        Assert.Equal(memberId, (await (await api.MeAsync(signedIn.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        using var anonymous = api.CreateClient();
        await AuthKit.UnauthorizedAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { login = oldPhone, password = AuthKit.MemberPassword }));

        // The old phone is free for someone else now; the code was spent.
        var reused = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { phone = oldPhone, password = "another-password-1", displayName = "新主人" });
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login", new { login = newPhone, code }), HttpStatusCode.UnprocessableEntity, "invalid_code");
    }

    [Fact]
    public async Task A_login_another_member_holds_or_a_malformed_one_is_refused_and_nothing_changes()
    {
        var (_, takenPhone) = await api.RegisterAsync();
        var (_, phone) = await api.RegisterAsync();
        using var member = api.CreateClient();
        await ApiFactory.SignInAsync(member, phone, AuthKit.MemberPassword);

        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login/code", new { login = takenPhone }), HttpStatusCode.Conflict, "conflict");
        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login/code", new { login = "not a login" }), HttpStatusCode.BadRequest, "validation_failed");
        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login", new { login = takenPhone, code = "12345" }), HttpStatusCode.BadRequest, "validation_failed");
        await AuthKit.ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/login", new { login = takenPhone, code = "123456" }), HttpStatusCode.UnprocessableEntity, "invalid_code");

        var me = await (await member.GetAsync("/api/v1/me")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("+86" + phone, me.GetProperty("phone").GetString());
    }
}
