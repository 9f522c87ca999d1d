using PointsMall.Contracts.Members;
using PointsMall.Contracts.Sessions;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

public sealed class RegistrationTests
{
    [Fact]
    public async Task Registration_normalises_phone_and_email_and_keeps_only_a_password_hash()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = silo.Grain<IMemberGrain>("m-1");

        var result = await member.RegisterAsync(new RegisterMember("+86 138-1234-5678", "  Li.Lei@Example.COM ", Password, "  李雷  "));

        Assert.True(result.Succeeded, result.Refusal?.Detail);
        var view = await member.GetAsync();
        Assert.NotNull(view);
        Assert.Equal("+8613812345678", view.Phone);
        Assert.Equal("li.lei@example.com", view.Email);
        Assert.Equal("李雷", view.DisplayName);
        Assert.Equal(0, view.Balance);
        Assert.Equal("Regular", view.Tier);
        Assert.Equal(silo.Time.GetUtcNow(), view.RegisteredAt);
        Assert.Equal(new PasswordCheck(true, view.RegisteredAt), await member.VerifyPasswordAsync(Password));
        Assert.False((await member.VerifyPasswordAsync("wrong-password")).Matches);
        Assert.Equal("m-1", await silo.Grain<ILoginGrain>("+8613812345678").GetOwnerAsync());
        Assert.Equal("m-1", await silo.Grain<ILoginGrain>("li.lei@example.com").GetOwnerAsync());

        await silo.StopAsync();
        var stored = await ReadStoredStateAsync(silo.DatabasePath, "m-1");
        Assert.NotEqual(Password, stored.Profile!.Password!.Hash);
        Assert.Equal("pbkdf2-sha256", stored.Profile.Password.Algorithm);
    }

    [Theory]
    [InlineData("12812345678", null, Password, "Name", "phone")]
    [InlineData(null, "not-an-email", Password, "Name", "email")]
    [InlineData(null, null, Password, "Name", "phone or email is required")]
    [InlineData("13812345678", null, "short", "Name", "password")]
    [InlineData("13812345678", null, Password, "   ", "display name")]
    [InlineData("13812345678", null, Password, "0123456789012345678901234567890123456789X", "display name")]
    public async Task Invalid_registrations_are_refused_with_validation_failed_and_store_nothing(
        string? phone, string? email, string password, string displayName, string expected)
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = silo.Grain<IMemberGrain>("m-bad");

        var result = await member.RegisterAsync(new RegisterMember(phone, email, password, displayName));

        Assert.Equal("validation_failed", result.Refusal?.Code);
        Assert.Contains(expected, result.Refusal!.Detail, StringComparison.Ordinal);
        Assert.Null(await member.GetAsync());
        Assert.Null(await silo.Grain<ILoginGrain>("+8613812345678").GetOwnerAsync());
    }

    [Fact]
    public async Task A_second_registration_of_the_same_id_is_a_conflict_and_keeps_the_first()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "m-2", phone: "13900000001");

        var again = await member.RegisterAsync(new RegisterMember("13900000002", null, "another-password", "Other"));

        Assert.Equal("conflict", again.Refusal?.Code);
        Assert.Equal("+8613900000001", (await member.GetAsync())!.Phone);
        Assert.True((await member.VerifyPasswordAsync(Password)).Matches);
    }

    [Fact]
    public async Task A_phone_or_email_already_registered_by_another_member_is_a_conflict()
    {
        await using var silo = await GrainsSilo.StartAsync();
        await RegisterAsync(silo, "m-owner", phone: "13900000003", email: "owner@example.com");

        var samePhone = await silo.Grain<IMemberGrain>("m-x").RegisterAsync(new RegisterMember("+8613900000003", null, Password, "X"));
        var sameEmail = await silo.Grain<IMemberGrain>("m-y").RegisterAsync(new RegisterMember(null, "OWNER@example.com", Password, "Y"));

        Assert.Equal(("conflict", "phone_taken"), (samePhone.Refusal?.Code, samePhone.Refusal?.Detail));
        Assert.Equal(("conflict", "email_taken"), (sameEmail.Refusal?.Code, sameEmail.Refusal?.Detail));
        Assert.Null(await silo.Grain<IMemberGrain>("m-x").GetAsync());
    }

    [Fact]
    public async Task Every_operation_on_an_unregistered_member_is_not_found()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var ghost = silo.Grain<IMemberGrain>("ghost");

        Assert.Null(await ghost.GetAsync());
        Assert.Equal(new PasswordCheck(false, null), await ghost.VerifyPasswordAsync(Password));
        Assert.Equal("not_found", (await ghost.EarnAsync(new EarnPoints("op", 10, "test", "r"))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.EarnForPurchaseAsync(new EarnForPurchase("op", 10_000, "order"))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.AdjustAsync(new AdjustPoints("op", 10, "r"))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.SpendAsync(new SpendPoints("op", 10, "r"))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.RefundAsync(new RefundPoints("op", "sp", null, "r"))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.SignInAsync()).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.CompleteTaskAsync(new CompleteTask("op", "Share", null))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.UpdateProfileAsync(new UpdateProfile("n", null, null))).Refusal?.Code);
        Assert.Equal("not_found", (await ghost.SaveAddressAsync(new SaveAddress(null, "r", "13800000000", "北京市", "d", true))).Refusal?.Code);
        Assert.Equal(0, (await ghost.GetLedgerAsync(1, 10)).Total);
        Assert.Empty(await ghost.GetExpiringAsync(TimeSpan.FromDays(30)));
        Assert.True((await ghost.AuditAsync()).Reconciles);
    }

    [Fact]
    public async Task Profile_changes_and_addresses_are_logged_and_survive_a_restart()
    {
        var first = await GrainsSilo.StartAsync();
        await using (first)
        {
            var member = await RegisterAsync(first, "m-3", phone: "13900000004");
            var profile = await member.UpdateProfileAsync(new UpdateProfile("韩梅梅", "female", new DateOnly(1995, 3, 8)));
            var home = await member.SaveAddressAsync(new SaveAddress(null, "韩梅梅", "139 0000 0004", "广东省 深圳市 南山区", "科技园 1 号", false));
            var retried = await member.SaveAddressAsync(new SaveAddress(null, "韩梅梅", "139 0000 0004", "广东省 深圳市 南山区", "科技园 1 号", false));
            var office = await member.SaveAddressAsync(new SaveAddress("office", "李雷", "13800000000", "北京市", "朝阳区 2 号", true));
            var bad = await member.SaveAddressAsync(new SaveAddress("bad", "", "123", "", "", false));
            var invalidGender = await member.UpdateProfileAsync(new UpdateProfile(null, "robot", null));

            Assert.True(profile.Succeeded);
            Assert.Equal("韩梅梅", profile.Member!.DisplayName);
            Assert.Single(retried.Member!.Addresses);
            Assert.Equal(home.Member!.Addresses[0].Id, retried.Member.Addresses[0].Id);
            Assert.Equal(2, office.Member!.Addresses.Count);
            Assert.Equal("office", Assert.Single(office.Member.Addresses, a => a.IsDefault).Id);
            Assert.Equal("validation_failed", bad.Refusal?.Code);
            Assert.Equal("validation_failed", invalidGender.Refusal?.Code);
            Assert.Equal("not_found", (await member.RemoveAddressAsync("nope")).Refusal?.Code);
            Assert.True((await member.RemoveAddressAsync("office")).Succeeded);
        }

        await using (var second = await GrainsSilo.StartAsync(first.DatabasePath, first.Time))
        {
            var view = await second.Grain<IMemberGrain>("m-3").GetAsync();
            Assert.Equal("韩梅梅", view!.DisplayName);
            var address = Assert.Single(view.Addresses);
            Assert.True(address.IsDefault);
            Assert.Equal("广东省 深圳市 南山区", address.Region);
            Assert.Equal("+8613900000004", address.Phone);
        }

        var stored = await ReadStoredStateAsync(first.DatabasePath, "m-3");
        Assert.Equal(["nickname", "gender", "birthday", "address", "address", "address", "address"], stored.Profile!.Changes.Select(c => c.Field));
        Assert.Equal(new DateOnly(1995, 3, 8), stored.Profile.Birthday);
    }
}

public sealed class LoginGrainTests
{
    [Fact]
    public async Task The_first_claim_wins_a_repeat_by_the_owner_returns_it_and_others_get_the_owner()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var login = silo.Grain<ILoginGrain>("+8613811112222");

        Assert.Null(await login.GetOwnerAsync());
        Assert.Equal("m-a", await login.ClaimAsync("m-a"));
        Assert.Equal("m-a", await login.ClaimAsync("m-a"));
        Assert.Equal("m-a", await login.ClaimAsync("m-b"));
        Assert.Equal("m-a", await login.GetOwnerAsync());
    }

    [Fact]
    public async Task Concurrent_claims_have_exactly_one_winner_and_it_survives_a_restart()
    {
        var first = await GrainsSilo.StartAsync();
        await using (first)
        {
            var login = first.Grain<ILoginGrain>("race@example.com");
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claims = Enumerable.Range(0, 20).Select(async i =>
            {
                await go.Task;
                return await login.ClaimAsync($"m-{i}");
            }).ToList();
            go.SetResult();
            var owners = await Task.WhenAll(claims);

            Assert.Single(owners.Distinct());
        }

        await using var second = await GrainsSilo.StartAsync(first.DatabasePath, first.Time);
        Assert.NotNull(await second.Grain<ILoginGrain>("race@example.com").GetOwnerAsync());
    }

    [Fact]
    public async Task A_new_password_needs_the_current_one_and_ends_every_session()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = silo.Grain<IMemberGrain>("m-pw");
        Assert.True((await member.RegisterAsync(new RegisterMember(null, "pw@example.com", Password, "改密码"))).Succeeded);
        var sessions = silo.Grain<ISessionsGrain>(SessionKeys.Member("m-pw"));
        await sessions.OpenAsync(new OpenSession("s-1", null, TimeSpan.FromDays(14), silo.Time.GetUtcNow().AddMinutes(15)));

        Assert.Equal("wrong_password", (await member.ChangePasswordAsync(new ChangePassword("not-it", "new-password-1"))).Refusal?.Code);
        Assert.Equal("validation_failed", (await member.ChangePasswordAsync(new ChangePassword(Password, "short"))).Refusal?.Code);
        Assert.True((await member.VerifyPasswordAsync(Password)).Matches);
        Assert.Equal(1, await sessions.CountAsync());

        var changed = await member.ChangePasswordAsync(new ChangePassword(Password, "new-password-1"));

        Assert.True(changed.Succeeded, changed.Refusal?.ToString());
        Assert.Equal("s-1", Assert.Single(changed.Revoked).SessionId);
        Assert.Equal(0, await sessions.CountAsync());
        Assert.False((await member.VerifyPasswordAsync(Password)).Matches);
        Assert.True((await member.VerifyPasswordAsync("new-password-1")).Matches);
        Assert.Equal("not_found", (await silo.Grain<IMemberGrain>("m-nobody").ChangePasswordAsync(new ChangePassword(Password, "new-password-1"))).Refusal?.Code);

        // A reset (after a code the API verified) needs no current password and ends the sessions the same way.
        await sessions.OpenAsync(new OpenSession("s-2", null, TimeSpan.FromDays(14), silo.Time.GetUtcNow().AddMinutes(15)));
        var reset = await member.ResetPasswordAsync("third-password-3");
        Assert.Equal("s-2", Assert.Single(reset.Revoked).SessionId);
        Assert.True((await member.VerifyPasswordAsync("third-password-3")).Matches);
        Assert.Equal("validation_failed", (await member.ResetPasswordAsync("short")).Refusal?.Code);
        Assert.Equal("not_found", (await silo.Grain<IMemberGrain>("m-nobody").ResetPasswordAsync("third-password-3")).Refusal?.Code);
    }

    [Fact]
    public async Task An_invitation_pays_its_inviter_once_per_invitee_from_the_registrations_commit()
    {
        await using var silo = await Orders.OrderTestKit.StartAsync(new Orders.SagaSignals());
        var inviter = silo.Grain<IMemberGrain>("m-inviter");
        Assert.True((await inviter.RegisterAsync(new RegisterMember(null, "inviter@example.com", Password, "邀请人"))).Succeeded);

        Assert.True((await silo.Grain<IMemberGrain>("m-friend").RegisterAsync(new RegisterMember(null, "friend@example.com", Password, "好友", "m-inviter"))).Succeeded);
        Assert.True((await silo.Grain<IMemberGrain>("m-self").RegisterAsync(new RegisterMember(null, "self@example.com", Password, "自己", "m-self"))).Succeeded);
        Assert.True((await silo.Grain<IMemberGrain>("m-lost").RegisterAsync(new RegisterMember(null, "lost@example.com", Password, "无主", "m-nobody"))).Succeeded);
        Assert.Equal("conflict", (await silo.Grain<IMemberGrain>("m-friend").RegisterAsync(new RegisterMember(null, "friend@example.com", Password, "好友", "m-inviter"))).Refusal?.Code);

        await Eventually.ReadAsync(inviter.GetAsync, m => m!.Balance == 50, "the inviter's invitation points");
        var self = await silo.Grain<IMemberGrain>("m-self").GetAsync();
        Assert.Equal(0, self!.Balance);
        Assert.Null(await silo.Grain<IMemberGrain>("m-nobody").GetAsync());
    }
}
