using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Domain.Common;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Messages;

/// <summary>What a member is told on its own clock: points expiring a week ahead, and the birthday gift.</summary>
public sealed class MemberNoticeTests
{
    [Fact]
    public async Task A_member_is_told_a_week_before_points_expire_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisteredAsync(silo, "m-1");
        Assert.True((await member.EarnAsync(new EarnPoints("earn-1", 300, "task", "a task"))).Succeeded);
        var lot = Assert.Single(await member.GetExpiringAsync(TimeSpan.FromDays(800)));

        silo.Time.SetUtcNow(lot.ExpiresAt!.Value - MemberGrain.ExpiryNoticeAhead);
        await silo.FireReminderAsync(member, MemberGrain.ExpiryNoticeReminder);

        var inbox = silo.Grain<IInboxGrain>("m-1");
        var page = await Eventually.ReadAsync(() => inbox.ListAsync(new InboxQuery(null, 1, 10)), p => p.Total == 1, "the expiry notice");
        Assert.Equal(NoticeKinds.PointsExpiring, page.Items[0].Kind);
        Assert.Contains("300", page.Items[0].Body);

        // Spending and earning again before the expiry tells nothing more about it.
        Assert.True((await member.SpendAsync(new SpendPoints("spend-1", 10, "a mug"))).Succeeded);
        Assert.True((await member.EarnAsync(new EarnPoints("earn-2", 5, "task", "another task"))).Succeeded);
        silo.Time.Advance(TimeSpan.FromDays(1));
        Assert.True((await member.EarnAsync(new EarnPoints("earn-3", 5, "task", "a third task"))).Succeeded);

        // A later notice on the same stream marks the point by which any second expiry notice would have arrived.
        var today = ZonedTime.LocalDate(silo.Time.GetUtcNow(), ZonedTime.China);
        Assert.True((await member.UpdateProfileAsync(new UpdateProfile(null, null, new DateOnly(1992, today.Month, today.Day)))).Succeeded);
        await silo.FireReminderAsync(member, MemberGrain.BirthdayReminder);
        var delivered = await Eventually.ReadAsync(() => inbox.ListAsync(new InboxQuery(null, 1, 10)),
            p => p.Items.Any(i => i.Kind == NoticeKinds.BirthdayGift), "the birthday notice that follows the expiry notice");
        Assert.Single(delivered.Items, i => i.Kind == NoticeKinds.PointsExpiring);
    }

    [Fact]
    public async Task A_member_receives_the_birthday_gift_on_the_birthday_once_a_year()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisteredAsync(silo, "m-1");
        var today = ZonedTime.LocalDate(silo.Time.GetUtcNow(), ZonedTime.China);
        var birthday = new DateOnly(1990, today.AddDays(3).Month, today.AddDays(3).Day);
        Assert.True((await member.UpdateProfileAsync(new UpdateProfile(null, null, birthday))).Succeeded);
        var before = (await member.AuditAsync()).Balance;

        // Fired early (a retry), nothing is given.
        await silo.FireReminderAsync(member, MemberGrain.BirthdayReminder);
        Assert.Equal(before, (await member.AuditAsync()).Balance);

        silo.Time.SetUtcNow(ZonedTime.StartOfDay(today.AddDays(3), ZonedTime.China).AddHours(9));
        await silo.FireReminderAsync(member, MemberGrain.BirthdayReminder);
        await silo.FireReminderAsync(member, MemberGrain.BirthdayReminder);

        Assert.Equal(before + 100, (await member.AuditAsync()).Balance);
        var inbox = silo.Grain<IInboxGrain>("m-1");
        var page = await Eventually.ReadAsync(() => inbox.ListAsync(new InboxQuery(null, 1, 10)), p => p.Total == 1, "the birthday notice");
        Assert.Equal((NoticeKinds.BirthdayGift, $"birthday:{today.AddDays(3).Year}"), (page.Items[0].Kind, page.Items[0].Id));
    }

    private static async Task<IMemberGrain> RegisteredAsync(GrainsSilo silo, string memberId)
    {
        var member = silo.Grain<IMemberGrain>(memberId);
        Assert.True((await member.RegisterAsync(new RegisterMember(null, $"{memberId}@example.com", "password-123", memberId))).Succeeded);
        return member;
    }
}
