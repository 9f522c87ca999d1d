using PointsMall.Contracts.Members;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Support;
using PointsMall.Storage;
using PointsMall.Domain.Rules;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

/// <summary>
/// Lots expire one day after they are earned here (RollingDays(1)). Reminders run only when the test delivers them,
/// so "the balance dropped" is observed with certainty before the reminder has run.
/// </summary>
public sealed class ExpiryTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task A_lot_stops_counting_at_its_expiry_instant_and_the_reminder_then_records_it_and_moves_on()
    {
        var events = new ExpiryEvents();
        await using var silo = await StartWithExpiryEventsAsync(events);
        await SetRulesAsync(silo, r => r with { Expiry = ExpiryPolicy.RollingDays(1) });
        var member = await RegisterAsync(silo, "x-1");
        var t0 = silo.Time.GetUtcNow();
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "first"));
        silo.Time.Advance(TimeSpan.FromHours(12));
        await member.EarnAsync(new EarnPoints("e-2", 50, "activity", "second"));
        await member.SpendAsync(new SpendPoints("s-1", 30, "order"));

        silo.Time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromTicks(1));
        Assert.Equal(120, (await member.GetAsync())!.Balance);
        Assert.Equal(["e-1", "e-2"], (await member.GetExpiringAsync(Day)).Select(l => l.Id));

        silo.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(t0 + Day, silo.Time.GetUtcNow());
        Assert.Equal(50, (await member.GetAsync())!.Balance);
        Assert.Equal("e-2", Assert.Single(await member.GetExpiringAsync(Day)).Id);
        Assert.DoesNotContain((await member.GetLedgerAsync(1, 50)).Entries, e => e.Kind == "expire");
        var before = await member.AuditAsync();
        Assert.Equal((50L, 50L, 120L), (before.Balance, before.OpenLots, before.LedgerSum));
        Assert.False(before.Reconciles);
        Assert.Empty(events.All);

        silo.Time.Advance(TimeSpan.FromMinutes(30));
        await silo.FireReminderAsync(member, MemberGrain.ExpiryReminder);
        await events.WaitForAsync(1);

        var expired = Assert.Single(events.All);
        Assert.Equal(("x-1", 70L, 50L), (expired.MemberId, expired.Points, expired.Balance));
        Assert.Equal(["e-1"], expired.LotIds.ToArray());
        var entry = (await member.GetLedgerAsync(1, 1)).Entries[0];
        Assert.Equal(("expire", -70L, 50L, t0 + Day), (entry.Kind, entry.Amount, entry.RunningBalance, entry.At));
        Assert.True((await member.AuditAsync()).Reconciles);

        // The reminder moved to the next lot's expiry on its own.
        Assert.Equal(t0 + Day + TimeSpan.FromHours(12), await ReminderDueAsync(silo, "x-1"));
        silo.Time.Advance(TimeSpan.FromHours(12));
        await silo.FireReminderAsync(member, MemberGrain.ExpiryReminder);
        await events.WaitForAsync(2);
        var audit = await member.AuditAsync();
        Assert.Equal(0, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
    }

    [Fact]
    public async Task An_expiry_that_fell_due_while_the_silo_was_down_counts_at_once_and_is_recorded_after_the_restart()
    {
        var events = new ExpiryEvents();
        var first = await StartWithExpiryEventsAsync(events);
        var t0 = first.Time.GetUtcNow();
        await using (first)
        {
            await SetRulesAsync(first, r => r with { Expiry = ExpiryPolicy.RollingDays(1) });
            var member = await RegisterAsync(first, "x-2");
            await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "first"));
            first.Time.Advance(TimeSpan.FromHours(12));
            await member.EarnAsync(new EarnPoints("e-2", 50, "activity", "second"));
            await member.SpendAsync(new SpendPoints("s-1", 30, "order"));
        }

        first.Time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1));
        await using var second = await StartWithExpiryEventsAsync(events, first.DatabasePath, first.Time);
        var reloaded = second.Grain<IMemberGrain>("x-2");

        Assert.Equal(50, (await reloaded.GetAsync())!.Balance);
        Assert.False((await reloaded.AuditAsync()).Reconciles);
        Assert.Empty(events.All);

        second.Time.Advance(TimeSpan.FromMinutes(30));
        await second.FireReminderAsync(reloaded, MemberGrain.ExpiryReminder);
        await events.WaitForAsync(1);

        Assert.Equal(70, Assert.Single(events.All).Points);
        var audit = await reloaded.AuditAsync();
        Assert.Equal(50, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
        Assert.Contains((await reloaded.GetLedgerAsync(1, 50)).Entries, e => e is { Kind: "expire", OperationId: "expire:e-1", Amount: -70 });
        Assert.Equal(t0 + TimeSpan.FromHours(36), await ReminderDueAsync(second, "x-2"));
    }

    [Fact]
    public async Task An_operation_after_the_expiry_instant_records_the_expiry_itself_and_announces_it()
    {
        var events = new ExpiryEvents();
        await using var silo = await StartWithExpiryEventsAsync(events);
        await SetRulesAsync(silo, r => r with { Expiry = ExpiryPolicy.RollingDays(1) });
        var member = await RegisterAsync(silo, "x-3");
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "first"));
        await member.SpendAsync(new SpendPoints("s-1", 40, "order"));
        silo.Time.Advance(Day);

        var earn = await member.EarnAsync(new EarnPoints("e-2", 10, "activity", "second"));
        var refund = await member.RefundAsync(new RefundPoints("r-1", "s-1", null, "cancel"));
        await events.WaitForAsync(1);

        Assert.Equal((10L, 10L), (earn.Amount, earn.Balance));
        Assert.Equal((40L, 10L), (refund.Amount, refund.Balance));
        Assert.Equal(60, events.All[0].Points);
        var ledger = (await member.GetLedgerAsync(1, 50)).Entries;
        Assert.Equal(["expire", "refund", "earn", "expire", "spend", "earn"], ledger.Select(e => e.Kind));
        Assert.Equal("refunded_into_expired_lot", ledger[0].Reason);
        Assert.True((await member.AuditAsync()).Reconciles);
    }

    [Fact]
    public async Task Points_that_never_expire_set_no_reminder()
    {
        var events = new ExpiryEvents();
        await using var silo = await StartWithExpiryEventsAsync(events);
        await SetRulesAsync(silo, r => r with { Expiry = ExpiryPolicy.Never });
        var member = await RegisterAsync(silo, "x-4");

        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));

        Assert.Empty(await member.GetExpiringAsync(TimeSpan.FromDays(3650)));
        Assert.Empty(await silo.Store.ReadRemindersAsync(new StateKey("member", "x-4"), CancellationToken.None));
    }

    /// <summary>When the member's expiry reminder is due, as its row holds it (rows are written with the member's state, in the grains' time).</summary>
    private static async Task<DateTimeOffset> ReminderDueAsync(GrainsSilo silo, string memberId)
    {
        var reminder = Assert.Single(await silo.Store.ReadRemindersAsync(new StateKey("member", memberId), CancellationToken.None));
        Assert.Equal((MemberGrain.ExpiryReminder, (TimeSpan?)null), (reminder.Name, reminder.Period));
        return reminder.DueAt;
    }
}
