using PointsMall.Contracts.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

public sealed class PointsTests
{
    [Fact]
    public async Task Earn_spend_refund_and_adjust_keep_balance_open_lots_and_ledger_equal()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "p-1");

        var earn = await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "welcome"));
        var grant = await member.AdjustAsync(new AdjustPoints("a-1", 50, "service recovery"));
        var spend = await member.SpendAsync(new SpendPoints("s-1", 120, "order o-1"));
        var refund = await member.RefundAsync(new RefundPoints("r-1", "s-1", 20, "partial cancel"));
        var deduct = await member.AdjustAsync(new AdjustPoints("a-2", -10, "correction"));

        Assert.Equal((100, 100), (earn.Amount, earn.Balance));
        Assert.Equal((50, 150), (grant.Amount, grant.Balance));
        Assert.Equal((-120, 30), (spend.Amount, spend.Balance));
        Assert.Equal((20, 50), (refund.Amount, refund.Balance));
        Assert.Equal((-10, 40), (deduct.Amount, deduct.Balance));
        var audit = await member.AuditAsync();
        Assert.True(audit.Reconciles, audit.ToString());
        Assert.Equal(40, audit.Balance);
        Assert.Equal(100, audit.LifetimeEarned);
        Assert.Equal(40, (await member.GetAsync())!.Balance);
    }

    [Fact]
    public async Task The_ledger_pages_newest_first_with_the_running_balance()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "p-2");
        for (var i = 1; i <= 5; i++)
        {
            await member.EarnAsync(new EarnPoints($"e-{i}", i * 10, "activity", $"#{i}"));
        }

        await member.SpendAsync(new SpendPoints("s-1", 25, "order"));

        var first = await member.GetLedgerAsync(1, 4);
        var second = await member.GetLedgerAsync(2, 4);

        Assert.Equal(6, first.Total);
        Assert.Equal(["s-1", "e-5", "e-4", "e-3"], first.Entries.Select(e => e.OperationId));
        Assert.Equal(("spend", -25L, 125L), (first.Entries[0].Kind, first.Entries[0].Amount, first.Entries[0].RunningBalance));
        Assert.Equal(["e-2", "e-1"], second.Entries.Select(e => e.OperationId));
        Assert.Equal(("earn", "activity", "#1", 10L), (second.Entries[1].Kind, second.Entries[1].Source, second.Entries[1].Reason, second.Entries[1].RunningBalance));
    }

    [Fact]
    public async Task Refusals_change_nothing()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "p-3");
        await member.EarnAsync(new EarnPoints("e-1", 30, "activity", "x"));
        await member.SpendAsync(new SpendPoints("s-1", 10, "order"));

        var overspend = await member.SpendAsync(new SpendPoints("s-2", 21, "order"));
        var overdeduct = await member.AdjustAsync(new AdjustPoints("a-1", -21, "oops"));
        var unknownSpend = await member.RefundAsync(new RefundPoints("r-1", "nope", null, "x"));
        var overRefund = await member.RefundAsync(new RefundPoints("r-2", "s-1", 11, "x"));
        var zero = await member.EarnAsync(new EarnPoints("e-2", 0, "activity", "x"));
        var blankId = await member.SpendAsync(new SpendPoints(" ", 1, "x"));
        var reserved = await member.EarnAsync(new EarnPoints("expire:e-1", 5, "activity", "x"));
        var noReason = await member.AdjustAsync(new AdjustPoints("a-2", 5, " "));

        Assert.Equal(("insufficient_points", 20L), (overspend.Refusal?.Code, overspend.Balance));
        Assert.Equal("insufficient_points", overdeduct.Refusal?.Code);
        Assert.Equal("not_found", unknownSpend.Refusal?.Code);
        Assert.Equal("conflict", overRefund.Refusal?.Code);
        Assert.All([zero, blankId, reserved, noReason], r => Assert.Equal("validation_failed", r.Refusal?.Code));
        Assert.Equal(2, (await member.GetLedgerAsync(1, 50)).Total);
        Assert.Equal(20, (await member.AuditAsync()).Balance);
    }

    [Fact]
    public async Task A_repeated_operation_id_returns_the_first_outcome_and_a_reused_one_is_a_conflict()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "p-4");
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));
        await member.SpendAsync(new SpendPoints("s-1", 40, "order"));
        await member.RefundAsync(new RefundPoints("r-1", "s-1", null, "cancel"));

        var earnAgain = await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));
        var spendAgain = await member.SpendAsync(new SpendPoints("s-1", 40, "order"));
        var refundAgain = await member.RefundAsync(new RefundPoints("r-1", "s-1", null, "cancel"));
        var reused = await member.SpendAsync(new SpendPoints("e-1", 100, "order"));
        var otherAmount = await member.EarnAsync(new EarnPoints("e-1", 5, "activity", "x"));

        Assert.Equal((100L, true), (earnAgain.Amount, earnAgain.Replayed));
        Assert.Equal((-40L, true), (spendAgain.Amount, spendAgain.Replayed));
        Assert.Equal((40L, true), (refundAgain.Amount, refundAgain.Replayed));
        Assert.Equal("conflict", reused.Refusal?.Code);
        Assert.Equal("conflict", otherAmount.Refusal?.Code);
        Assert.Equal(100, (await member.AuditAsync()).Balance);
        Assert.Equal(3, (await member.GetLedgerAsync(1, 50)).Total);
    }

    [Fact]
    public async Task Points_state_and_replays_survive_a_restart()
    {
        var first = await GrainsSilo.StartAsync();
        await using (first)
        {
            var member = await RegisterAsync(first, "p-5");
            await member.EarnAsync(new EarnPoints("e-1", 70, "activity", "x"));
            await member.SpendAsync(new SpendPoints("s-1", 30, "order"));
            await member.SignInAsync();
        }

        await using var second = await GrainsSilo.StartAsync(first.DatabasePath, first.Time);
        var reloaded = second.Grain<IMemberGrain>("p-5");

        var view = await reloaded.GetAsync();
        var replay = await reloaded.SpendAsync(new SpendPoints("s-1", 30, "order"));
        var signInAgain = await reloaded.SignInAsync();

        Assert.Equal(45, view!.Balance);
        Assert.Equal(1, view.SignInStreak);
        Assert.True(replay.Replayed);
        Assert.Equal(("conflict", "already_signed_in"), (signInAgain.Refusal?.Code, signInAgain.Refusal?.Detail));
        Assert.True((await reloaded.AuditAsync()).Reconciles);
        Assert.True((await reloaded.VerifyPasswordAsync(Password)).Matches);
    }
}
