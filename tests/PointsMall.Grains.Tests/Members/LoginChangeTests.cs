using PointsMall.Contracts.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

/// <summary>A member's move to a new phone or e-mail: the new login claimed, the old one given up, a taken one refused.</summary>
public sealed class LoginChangeTests
{
    [Fact]
    public async Task A_member_moves_to_a_free_phone_and_gives_up_the_old_one_but_not_to_a_taken_one()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "m-1", phone: "13800000001", email: "one@example.com");
        await RegisterAsync(silo, "m-2", phone: "13800000002");

        var taken = await member.ChangeLoginAsync("138 0000 0002");
        Assert.Equal(("conflict", "phone_taken"), (taken.Refusal?.Code, taken.Refusal?.Detail));
        Assert.Equal("m-2", await silo.Grain<ILoginGrain>("+8613800000002").GetOwnerAsync());

        var moved = await member.ChangeLoginAsync("13800000003");
        Assert.True(moved.Succeeded, moved.Refusal?.ToString());
        Assert.Equal(("+8613800000003", "one@example.com"), (moved.Member!.Phone, moved.Member.Email));
        Assert.Equal("m-1", await silo.Grain<ILoginGrain>("+8613800000003").GetOwnerAsync());
        Assert.Null(await silo.Grain<ILoginGrain>("+8613800000001").GetOwnerAsync());

        var mailed = await member.ChangeLoginAsync("New@Example.com");
        Assert.Equal("new@example.com", mailed.Member!.Email);
        Assert.Null(await silo.Grain<ILoginGrain>("one@example.com").GetOwnerAsync());
        Assert.True((await member.ChangeLoginAsync("new@example.com")).Succeeded);
        Assert.Equal("validation_failed", (await member.ChangeLoginAsync("neither")).Refusal?.Code);
        Assert.Equal("not_found", (await silo.Grain<IMemberGrain>("m-none").ChangeLoginAsync("13800000009")).Refusal?.Code);
    }
}
