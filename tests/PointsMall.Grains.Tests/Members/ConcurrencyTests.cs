using PointsMall.Contracts.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

/// <summary>
/// Calls are released together from one barrier so they queue on the activation at the same time; the grain's
/// one-turn-at-a-time execution, not luck, is what the assertions rely on.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Two_racing_spends_that_the_balance_covers_once_succeed_exactly_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "c-1");
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));

        var results = await Race(2, i => member.SpendAsync(new SpendPoints($"order-{i}", 60, "redeem")));

        Assert.Single(results, r => r.Succeeded);
        Assert.Equal("insufficient_points", Assert.Single(results, r => !r.Succeeded).Refusal?.Code);
        var audit = await member.AuditAsync();
        Assert.Equal(40, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
    }

    [Fact]
    public async Task Two_hundred_concurrent_distinct_earns_land_exactly_and_the_audit_reconciles()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "c-2");

        var results = await Race(200, i => member.EarnAsync(new EarnPoints($"earn-{i}", i + 1, "activity", "storm")));

        Assert.All(results, r => Assert.True(r.Succeeded && !r.Replayed));
        var expected = Enumerable.Range(1, 200).Sum();
        var audit = await member.AuditAsync();
        Assert.Equal(expected, audit.Balance);
        Assert.Equal(expected, audit.LifetimeEarned);
        Assert.True(audit.Reconciles, audit.ToString());
        Assert.Equal(200, (await member.GetLedgerAsync(1, 10)).Total);
    }

    [Fact]
    public async Task The_same_operation_sent_fifty_times_concurrently_is_applied_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "c-3");
        await member.EarnAsync(new EarnPoints("e-1", 500, "activity", "x"));

        var spends = await Race(50, _ => member.SpendAsync(new SpendPoints("order-42", 120, "redeem")));
        var earns = await Race(50, _ => member.EarnForPurchaseAsync(new EarnForPurchase("purchase-7", 100_000, "order-7")));

        Assert.All(spends, r => Assert.Equal(-120, r.Amount));
        Assert.Single(spends, r => !r.Replayed);
        Assert.All(earns, r => Assert.Equal(100, r.Amount));
        Assert.Single(earns, r => !r.Replayed);
        var audit = await member.AuditAsync();
        Assert.Equal(500 - 120 + 100, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
        Assert.Equal(3, (await member.GetLedgerAsync(1, 10)).Total);
    }

    [Fact]
    public async Task Racing_spends_and_refunds_never_drive_the_balance_negative()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "c-4");
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));

        var spends = await Race(10, i => member.SpendAsync(new SpendPoints($"s-{i}", 30, "redeem")));
        var succeeded = spends.Select((r, i) => (r, i)).Where(x => x.r.Succeeded).Select(x => x.i).ToList();
        var refunds = await Race(succeeded.Count * 2, i => member.RefundAsync(new RefundPoints($"r-{i % succeeded.Count}", $"s-{succeeded[i % succeeded.Count]}", null, "cancel")));

        Assert.Equal(3, succeeded.Count);
        Assert.All(refunds, r => Assert.True(r.Succeeded));
        Assert.Equal(3, refunds.Count(r => !r.Replayed));
        var audit = await member.AuditAsync();
        Assert.Equal(100, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
    }

    private static async Task<T[]> Race<T>(int count, Func<int, Task<T>> call)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            await go.Task;
            return await call(i);
        }).ToList();
        go.SetResult();
        return await Task.WhenAll(calls);
    }
}
