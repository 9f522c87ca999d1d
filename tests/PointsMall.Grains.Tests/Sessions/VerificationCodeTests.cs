using PointsMall.Contracts.Sessions;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Sessions;

/// <summary>One-time codes on the silo's fake clock: six digits, once each, a few tries, a short life, one send a minute.</summary>
public sealed class VerificationCodeTests
{
    private static readonly VerificationPolicy Policy = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), 3);

    [Fact]
    public async Task A_code_is_six_digits_redeemed_once_and_not_sent_again_within_the_minute()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var codes = silo.Grain<IVerificationCodeGrain>(VerificationKeys.PasswordReset("+8613800000002"));

        var code = await codes.IssueAsync(Policy);

        Assert.Matches("^[0-9]{6}$", code);
        Assert.Null(await codes.IssueAsync(Policy));
        Assert.True(await codes.RedeemAsync(code!));
        Assert.False(await codes.RedeemAsync(code!));
    }

    [Fact]
    public async Task Wrong_tries_void_a_code_and_a_new_one_replaces_the_old()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var codes = silo.Grain<IVerificationCodeGrain>(VerificationKeys.PasswordReset("void@example.com"));
        var first = (await codes.IssueAsync(Policy))!;
        var wrong = first == "000000" ? "000001" : "000000";
        for (var i = 0; i < Policy.Attempts; i++)
        {
            Assert.False(await codes.RedeemAsync(wrong));
        }

        Assert.False(await codes.RedeemAsync(first));

        silo.Time.Advance(Policy.ResendAfter);
        var second = (await codes.IssueAsync(Policy))!;
        silo.Time.Advance(Policy.ResendAfter);
        var third = (await codes.IssueAsync(Policy))!;
        Assert.True(second == third || !await codes.RedeemAsync(second), "a replaced code still worked");
        Assert.True(await codes.RedeemAsync(third));
    }

    [Fact]
    public async Task A_code_expires_with_its_lifetime()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var codes = silo.Grain<IVerificationCodeGrain>(VerificationKeys.PasswordReset("late@example.com"));
        var code = (await codes.IssueAsync(Policy))!;

        silo.Time.Advance(Policy.Lifetime);

        Assert.False(await codes.RedeemAsync(code));
    }
}
