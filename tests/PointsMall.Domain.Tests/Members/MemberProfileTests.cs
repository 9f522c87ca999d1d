using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Members;

public sealed class MemberProfileTests
{
    private static readonly DateTimeOffset Now = Cn(2025, 6, 1, 9);

    [Theory]
    [InlineData("13812345678", "+8613812345678")]
    [InlineData("+86 138 1234 5678", "+8613812345678")]
    [InlineData("86-138-1234-5678", "+8613812345678")]
    [InlineData("0086 19912345678", "+8619912345678")]
    [InlineData("12812345678", null)]
    [InlineData("1381234567", null)]
    [InlineData("+1 4155550100", null)]
    [InlineData("abc", null)]
    public void Mainland_mobile_numbers_are_validated_and_normalised(string input, string? expected) =>
        Assert.Equal(expected, ContactValidation.NormalisePhone(input));

    [Theory]
    [InlineData(" Li.Lei@Example.COM ", "li.lei@example.com")]
    [InlineData("a@b.cn", "a@b.cn")]
    [InlineData("no-at.example.com", null)]
    [InlineData("a@nodot", null)]
    [InlineData("a b@example.com", null)]
    public void Emails_are_validated_and_normalised(string input, string? expected) =>
        Assert.Equal(expected, ContactValidation.NormaliseEmail(input));

    [Fact]
    public void Registration_needs_a_valid_phone_or_email()
    {
        Assert.Equal(RefusalCode.ValidationFailed, MemberProfile.Register("m1", null, null, null, null, Now).Refusal?.Code);
        Assert.Equal(RefusalCode.ValidationFailed, MemberProfile.Register("m1", "123", null, null, null, Now).Refusal?.Code);
        Assert.Equal("+8613812345678", MemberProfile.Register("m1", "138 1234 5678", null, null, null, Now).Profile.Phone);
    }

    [Fact]
    public void Passwords_are_stored_only_as_a_salted_hash()
    {
        var hash = PasswordHash.Create("s3cret!", iterations: 1000);

        Assert.DoesNotContain("s3cret", hash.Hash, StringComparison.Ordinal);
        Assert.True(hash.Verify("s3cret!"));
        Assert.False(hash.Verify("s3cret?"));
        Assert.NotEqual(hash.Salt, PasswordHash.Create("s3cret!", iterations: 1000).Salt);
    }

    [Fact]
    public void Addresses_keep_one_default_and_every_change_is_logged()
    {
        var profile = MemberProfile.Register("m1", "13812345678", null, "Lei", null, Now).Profile;
        var home = new ShippingAddress("a1", "Li Lei", "13812345678", "上海市", "上海市", "浦东新区", "世纪大道 1 号", "200120", false);
        var work = home with { Id = "a2", Detail = "陆家嘴环路 2 号", IsDefault = true };

        profile = profile.SaveAddress(home, Now).Profile;
        Assert.True(profile.DefaultAddress?.Id == "a1");
        profile = profile.SaveAddress(work, Now).Profile;
        Assert.Equal("a2", profile.DefaultAddress?.Id);
        Assert.Single(profile.Addresses, a => a.IsDefault);
        profile = profile.ChangeEmail("LEI@example.com", Now).Profile;

        Assert.Equal(["address", "address", "email"], profile.Changes.Select(c => c.Field));
        Assert.Equal(RefusalCode.ValidationFailed, profile.SaveAddress(home with { Phone = "1" }, Now).Refusal?.Code);
    }

    [Fact]
    public void Profile_round_trips_through_json()
    {
        var profile = MemberProfile.Register("m1", "13812345678", "a@b.cn", "Lei", PasswordHash.Create("pw-123456", 1000), Now).Profile
            .SaveAddress(new ShippingAddress("a1", "Li Lei", "13812345678", "北京市", "北京市", "朝阳区", "建国路 1 号", null, true), Now).Profile;

        var back = Json.AssertRoundTrips(profile);

        Assert.True(back.Password!.Verify("pw-123456"));
    }
}
