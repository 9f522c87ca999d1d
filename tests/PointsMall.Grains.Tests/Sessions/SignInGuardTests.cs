using PointsMall.Contracts.Sessions;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Sessions;

/// <summary>Failed sign-ins under one key, on the silo's fake clock: when they lock it, for how long, and what resets them.</summary>
public sealed class SignInGuardTests
{
    private static readonly SignInPolicy FivePerQuarterHour = new(5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));

    [Fact]
    public async Task Five_failures_within_the_window_lock_the_key_until_the_lock_ends()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var guard = silo.Grain<ISignInGuardGrain>(SignInGuardKeys.Login("+8613800000001"));
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await guard.FailedAsync(FivePerQuarterHour));
            silo.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var lockedAt = silo.Time.GetUtcNow();
        Assert.Equal(lockedAt.AddMinutes(15), await guard.FailedAsync(FivePerQuarterHour));
        Assert.Equal(lockedAt.AddMinutes(15), await guard.LockedUntilAsync());

        // Failures while locked neither extend the lock nor count toward the next one.
        silo.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(lockedAt.AddMinutes(15), await guard.FailedAsync(FivePerQuarterHour));
        silo.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await guard.LockedUntilAsync());
        Assert.Null(await guard.FailedAsync(FivePerQuarterHour));
        Assert.Null(await silo.Grain<ISignInGuardGrain>(SignInGuardKeys.Address("203.0.113.9")).LockedUntilAsync());
    }

    [Fact]
    public async Task Failures_older_than_the_window_stop_counting_and_a_success_forgets_the_rest_and_lifts_a_lock()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var guard = silo.Grain<ISignInGuardGrain>(SignInGuardKeys.Login("li.lei@example.com"));
        for (var i = 0; i < 4; i++)
        {
            await guard.FailedAsync(FivePerQuarterHour);
        }

        silo.Time.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(await guard.FailedAsync(FivePerQuarterHour)); // the four have left the window: one counts

        for (var i = 0; i < 3; i++)
        {
            await guard.FailedAsync(FivePerQuarterHour);
        }

        await guard.SucceededAsync();
        Assert.Null(await guard.FailedAsync(FivePerQuarterHour));
        Assert.Null(await guard.LockedUntilAsync());

        // A lock is lifted too (the owner reset the password by code).
        for (var i = 0; i < 4; i++)
        {
            await guard.FailedAsync(FivePerQuarterHour);
        }

        Assert.NotNull(await guard.LockedUntilAsync());
        await guard.SucceededAsync();
        Assert.Null(await guard.LockedUntilAsync());
    }
}
