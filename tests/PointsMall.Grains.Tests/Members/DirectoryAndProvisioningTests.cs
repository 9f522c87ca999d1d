using PointsMall.Contracts.Members;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

public sealed class MemberDirectoryTests
{
    [Fact]
    public async Task Registrations_reach_the_directory_and_a_rename_replaces_the_listing()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "d-1", phone: "13900001111", email: "li.lei@example.com");
        await RegisterAsync(silo, "d-2", email: "han@example.com");

        var byPhone = await SearchUntilAsync(silo, "139 0000 1111", p => p.Total == 1, "d-1 by phone");
        Assert.Equal("d-1", Assert.Single(byPhone.Items).Id);
        Assert.Equal("d-2", Assert.Single((await MemberDirectory.SearchAsync(silo.Grains, "HAN@", 1, 10)).Items).Id);
        Assert.Equal(2, (await SearchUntilAsync(silo, null, p => p.Total == 2, "both members")).Total);

        await member.UpdateProfileAsync(new UpdateProfile("李雷雷", null, null));

        var renamed = await SearchUntilAsync(silo, "李雷雷", p => p.Total == 1, "the new name");
        Assert.Equal("d-1", Assert.Single(renamed.Items).Id);
    }

    [Fact]
    public async Task A_redelivered_or_older_listing_does_not_replace_a_newer_one()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var shard = silo.Grain<IMemberDirectoryGrain>(MemberDirectory.ShardOf("x-1"));
        var at = silo.Time.GetUtcNow();
        var newer = new MemberListing("x-1", "New", null, "x@example.com", at, at.AddMinutes(1));

        await shard.UpsertAsync(newer);
        await shard.UpsertAsync(newer with { DisplayName = "Old", UpdatedAt = at });
        await shard.UpsertAsync(newer);

        Assert.Equal("New", Assert.Single((await shard.SearchAsync("x-1", 10)).Top).DisplayName);
        Assert.Equal(1, await shard.CountAsync());
    }

    [Fact]
    public async Task Pages_across_shards_are_newest_first_and_complete()
    {
        await using var silo = await GrainsSilo.StartAsync();
        for (var i = 0; i < 30; i++)
        {
            await RegisterAsync(silo, $"pg-{i:00}");
            silo.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await SearchUntilAsync(silo, "pg-", p => p.Total == 30, "30 members");
        var pages = new List<MemberListing>();
        for (var page = 1; page <= 4; page++)
        {
            pages.AddRange((await MemberDirectory.SearchAsync(silo.Grains, "pg-", page, 8)).Items);
        }

        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"pg-{i:00}"), pages.Select(l => l.Id));
    }

    [Fact]
    public void Shards_are_stable_and_spread_members()
    {
        Assert.Equal(MemberDirectory.ShardOf("m-0123456789abcdef0123"), MemberDirectory.ShardOf("m-0123456789abcdef0123"));
        var used = Enumerable.Range(0, 1000).Select(i => MemberDirectory.ShardOf($"m-{i}")).Distinct().Count();
        Assert.Equal(MemberDirectory.Shards, used);
    }

    private static async Task<MemberSearchPage> SearchUntilAsync(GrainsSilo silo, string? text, Func<MemberSearchPage, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var page = await MemberDirectory.SearchAsync(silo.Grains, text, 1, MemberDirectory.MaxPageSize);
            if (done(page))
            {
                return page;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out after 30 s waiting for the directory to show {what}; it has {page.Total}.");
            await Task.Delay(20);
        }
    }
}

public sealed class ProvisioningTests
{
    [Fact]
    public async Task A_provisioned_member_has_its_starting_points_no_password_and_a_claimed_email()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = silo.Grain<IMemberGrain>("b-1");

        var result = await member.ProvisionAsync(new ProvisionMember(null, "b-1@bulk.pointsmall.invalid", "会员1", 500));
        var again = await member.ProvisionAsync(new ProvisionMember(null, "b-1@bulk.pointsmall.invalid", "会员1", 500));

        Assert.True(result.Succeeded, result.Refusal?.Detail);
        Assert.Equal(500, result.Member!.Balance);
        Assert.True(result.Member.Provisioned);
        Assert.Equal("Regular", result.Member.Tier);
        Assert.Equal(0, result.Member.LifetimeEarned);
        Assert.Equal("conflict", again.Refusal?.Code);
        Assert.False((await member.VerifyPasswordAsync("")).Matches);
        Assert.False((await member.VerifyPasswordAsync(Password)).Matches);
        Assert.Equal("b-1", await silo.Grain<ILoginGrain>("b-1@bulk.pointsmall.invalid").GetOwnerAsync());
        Assert.True((await member.AuditAsync()).Reconciles);
        Assert.Equal(500, (await member.SpendAsync(new SpendPoints("s-1", 500, "order"))).Amount * -1);
    }

    [Theory]
    [InlineData(-1, "starting points")]
    [InlineData(100_000_001, "starting points")]
    public async Task Out_of_range_starting_points_are_refused(long points, string expected)
    {
        await using var silo = await GrainsSilo.StartAsync();

        var result = await silo.Grain<IMemberGrain>("b-2").ProvisionAsync(new ProvisionMember(null, "b-2@example.com", "x", points));

        Assert.Equal("validation_failed", result.Refusal?.Code);
        Assert.Contains(expected, result.Refusal!.Detail, StringComparison.Ordinal);
        Assert.Null(await silo.Grain<ILoginGrain>("b-2@example.com").GetOwnerAsync());
    }

    [Fact]
    public async Task The_reserved_provision_operation_id_cannot_be_used_by_callers()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "b-3");

        var result = await member.EarnAsync(new EarnPoints(MemberGrain.ProvisionOperationId, 10, "activity", "r"));

        Assert.Equal("validation_failed", result.Refusal?.Code);
    }
}

public sealed class LoginClaimTests
{
    [Fact]
    public async Task A_registration_refused_for_a_taken_email_gives_its_phone_back()
    {
        await using var silo = await GrainsSilo.StartAsync();
        await RegisterAsync(silo, "c-owner", email: "taken@example.com");

        var refused = await silo.Grain<IMemberGrain>("c-1").RegisterAsync(new RegisterMember("13900002222", "taken@example.com", Password, "C1"));
        var later = await silo.Grain<IMemberGrain>("c-2").RegisterAsync(new RegisterMember("13900002222", null, Password, "C2"));

        Assert.Equal(("conflict", "email_taken"), (refused.Refusal?.Code, refused.Refusal?.Detail));
        Assert.True(later.Succeeded, later.Refusal?.Detail);
        Assert.Equal("c-2", await silo.Grain<ILoginGrain>("+8613900002222").GetOwnerAsync());
    }

    [Fact]
    public async Task A_claim_left_by_a_registration_that_never_committed_is_taken_over_once_it_is_stale()
    {
        await using var silo = await GrainsSilo.StartAsync();

        // What a registration that claimed and then failed to commit leaves behind: a claim, no member.
        await silo.Grain<ILoginGrain>("+8613900003333").ClaimAsync("c-ghost");

        var tooSoon = await silo.Grain<IMemberGrain>("c-3").RegisterAsync(new RegisterMember("13900003333", null, Password, "C3"));
        silo.Time.Advance(LoginGrain.StaleClaimAge);
        var later = await silo.Grain<IMemberGrain>("c-4").RegisterAsync(new RegisterMember("13900003333", null, Password, "C4"));

        Assert.Equal("phone_taken", tooSoon.Refusal?.Detail);
        Assert.True(later.Succeeded, later.Refusal?.Detail);
        Assert.Equal("c-4", await silo.Grain<ILoginGrain>("+8613900003333").GetOwnerAsync());
    }

    [Fact]
    public async Task A_claim_of_a_registered_member_is_never_taken_over()
    {
        await using var silo = await GrainsSilo.StartAsync();
        await RegisterAsync(silo, "c-real", phone: "13900004444");
        silo.Time.Advance(TimeSpan.FromDays(30));

        var result = await silo.Grain<IMemberGrain>("c-5").RegisterAsync(new RegisterMember("13900004444", null, Password, "C5"));

        Assert.Equal("phone_taken", result.Refusal?.Detail);
        Assert.Equal("c-real", await silo.Grain<ILoginGrain>("+8613900004444").GetOwnerAsync());
    }

    [Fact]
    public async Task Only_the_owner_can_release_a_login()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var login = silo.Grain<ILoginGrain>("x@example.com");
        await login.ClaimAsync("m-a");

        Assert.False(await login.ReleaseAsync("m-b"));
        Assert.Equal("m-a", await login.GetOwnerAsync());
        Assert.True(await login.ReleaseAsync("m-a"));
        Assert.Null(await login.GetOwnerAsync());
    }
}

public sealed class MemberViewTests
{
    [Fact]
    public async Task The_sign_in_calendar_lists_this_months_days_the_streak_and_what_the_next_day_pays()
    {
        // 2026-11-21 10:00 in Shanghai; sign in on the 21st, 22nd and 23rd, then the month turns.
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "s-1");
        for (var day = 0; day < 3; day++)
        {
            Assert.True((await member.SignInAsync()).Succeeded);
            silo.Time.Advance(TimeSpan.FromDays(1));
        }

        var calendar = (await member.GetSignInCalendarAsync())!;

        Assert.Equal(3, calendar.Streak);
        Assert.False(calendar.SignedInToday);
        Assert.Equal(new DateOnly(2026, 11, 24), calendar.Today);
        Assert.Equal([new DateOnly(2026, 11, 21), new DateOnly(2026, 11, 22), new DateOnly(2026, 11, 23)], calendar.Days);
        Assert.Equal(17, calendar.NextPoints);
        Assert.Equal([5L, 8L, 12L, 17L, 23L, 30L, 38L], calendar.Ladder);

        silo.Time.Advance(TimeSpan.FromDays(7));
        var december = (await member.GetSignInCalendarAsync())!;
        Assert.Empty(december.Days);
        Assert.Equal(0, december.Streak);
        Assert.Equal(5, december.NextPoints);
        Assert.Null(await silo.Grain<IMemberGrain>("nobody").GetSignInCalendarAsync());
    }

    [Fact]
    public async Task The_view_shows_the_next_tier_and_how_far_it_is()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "t-1");
        await member.EarnAsync(new EarnPoints("e-1", 1200, "activity", "r"));

        var view = (await member.GetAsync())!;

        Assert.Equal("Silver", view.Tier);
        Assert.Equal("Gold", view.NextTier);
        Assert.Equal(3800, view.PointsToNextTier);
        Assert.Equal(1200, view.TierPoints);
    }

    [Fact]
    public async Task Addresses_keep_province_city_and_district_when_given_separately()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "a-1");

        var result = await member.SaveAddressAsync(new SaveAddress(null, "韩梅梅", "13900000004", "", "科技园 1 号", false)
        {
            Province = "广东省",
            City = "深圳市",
            District = "南山区",
            PostalCode = "518000",
        });

        var address = Assert.Single(result.Member!.Addresses);
        Assert.Equal(("广东省", "深圳市", "南山区", "518000"), (address.Province, address.City, address.District, address.PostalCode));
        Assert.Equal("广东省 深圳市 南山区", address.Region);
        Assert.Equal(["address"], result.Member.Changes.Select(c => c.Field));
    }
}
