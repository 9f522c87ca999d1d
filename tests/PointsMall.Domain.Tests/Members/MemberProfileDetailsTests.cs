using System.Text.Json;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Members;

public sealed class MemberProfileDetailsTests
{
    private static readonly DateTimeOffset Now = Cn(2025, 6, 1, 9);

    private static MemberProfile Registered() =>
        MemberProfile.Register("m1", "13812345678", null, "Lei", null, Now).Profile;

    [Fact]
    public void Changed_details_are_applied_and_each_changed_field_is_logged()
    {
        var outcome = Registered().UpdateDetails(" Li Lei ", "Male", new DateOnly(1990, 5, 4), Now);

        Assert.True(outcome.Succeeded);
        Assert.Equal("Li Lei", outcome.Profile.Nickname);
        Assert.Equal("male", outcome.Profile.Gender);
        Assert.Equal(new DateOnly(1990, 5, 4), outcome.Profile.Birthday);
        Assert.Equal(["nickname", "gender", "birthday"], outcome.Profile.Changes.Select(c => c.Field));
        Assert.Equal("Lei", outcome.Profile.Changes[0].OldValue);
    }

    [Fact]
    public void Null_arguments_and_unchanged_values_log_nothing()
    {
        var outcome = Registered().UpdateDetails("Lei", null, null, Now);

        Assert.True(outcome.Succeeded);
        Assert.Empty(outcome.Profile.Changes);
    }

    [Fact]
    public void One_invalid_value_refuses_the_whole_update()
    {
        var profile = Registered();
        var outcome = profile.UpdateDetails("New name", "robot", new DateOnly(2026, 6, 1), Now);

        Assert.Equal(RefusalCode.ValidationFailed, outcome.Refusal?.Code);
        Assert.Equal(2, outcome.Errors.Length);
        Assert.Same(profile, outcome.Profile);
    }

    [Fact]
    public void A_blank_or_too_long_nickname_is_refused()
    {
        Assert.False(Registered().UpdateDetails("  ", null, null, Now).Succeeded);
        Assert.False(Registered().UpdateDetails(new string('x', MemberProfile.MaxNicknameLength + 1), null, null, Now).Succeeded);
    }

    [Fact]
    public void Gender_and_birthday_round_trip_through_json()
    {
        var profile = Registered().UpdateDetails(null, "female", new DateOnly(2000, 1, 2), Now).Profile;

        var copy = JsonSerializer.Deserialize<MemberProfile>(JsonSerializer.Serialize(profile))!;

        Assert.Equal("female", copy.Gender);
        Assert.Equal(new DateOnly(2000, 1, 2), copy.Birthday);
    }
}
