using System.Security.Cryptography;
using System.Text;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;

namespace PointsMall.Grains.Members;

/// <summary>
/// Registration checks, the registered state, profile and address changes as replies, and the directory listing:
/// everything about the profile except claiming logins, which needs other grains.
/// </summary>
internal static class ProfileChanges
{
    public static List<string> CheckPassword(string? password)
    {
        var errors = new List<string>();
        if (password is null || password.Length < MemberGrain.MinPasswordLength || password.Length > MemberGrain.MaxPasswordLength)
        {
            errors.Add($"password: {MemberGrain.MinPasswordLength} to {MemberGrain.MaxPasswordLength} characters");
        }

        return errors;
    }

    /// <summary>A provisioned member's starting points and, when given, its first address.</summary>
    public static List<string> CheckProvisioning(ProvisionMember command)
    {
        var errors = command.Address is { } address ? MemberProfile.ValidateAddress(AddressFrom(address)) : [];
        if (command.StartingPoints is < 0 or > MemberGrain.MaxPointsPerOperation)
        {
            errors.Add($"starting points: 0 to {MemberGrain.MaxPointsPerOperation}");
        }

        return errors;
    }

    /// <summary>The new profile with the provisioning's address saved as its default (already validated).</summary>
    public static MemberProfile WithAddress(MemberProfile profile, SaveAddress? address, DateTimeOffset now)
        => address is null ? profile : profile.SaveAddress(AddressFrom(address with { IsDefault = true }), now).Profile;

    /// <summary>
    /// A new profile from the contact details and display name, or the refusal listing every problem (the display
    /// name's first, then <paramref name="errors"/> found before, then the contact's).
    /// </summary>
    public static (MemberProfile? Profile, MemberResult? Refusal) NewProfile(
        string memberId, string? phone, string? email, string? displayName, List<string> errors, DateTimeOffset now)
    {
        var name = displayName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MemberProfile.MaxNicknameLength)
        {
            errors.Insert(0, $"display name: 1 to {MemberProfile.MaxNicknameLength} characters");
            name = null;
        }

        var registration = MemberProfile.Register(memberId, phone, email, name, null, now);
        errors.AddRange(registration.Errors);
        return errors.Count > 0
            ? (null, MemberRefusals.Member(RefusalCode.ValidationFailed, string.Join("; ", errors)))
            : (registration.Profile, null);
    }

    public static MemberState Registered(MemberState current, string memberId, MemberProfile profile, string password) =>
        current with
        {
            Profile = profile with { Password = PasswordHash.Create(password) },
            Account = PointsAccount.Open(memberId),
        };

    public static MemberListed Listing(string memberId, MemberProfile profile, DateTimeOffset now) =>
        new(new MemberListing(memberId, profile.Nickname ?? "", profile.Phone, profile.Email, profile.RegisteredAt, now));

    /// <summary>The address to save; a blank province and city mean the region string holds them.</summary>
    public static ShippingAddress AddressFrom(SaveAddress command)
    {
        var (province, city, district) = string.IsNullOrWhiteSpace(command.Province) && string.IsNullOrWhiteSpace(command.City)
            ? AddressRegion.Split(command.Region)
            : (command.Province?.Trim() ?? "", command.City?.Trim() ?? "", command.District?.Trim() ?? "");
        return new ShippingAddress(
            string.IsNullOrWhiteSpace(command.AddressId) ? AddressIdFor(command) : command.AddressId.Trim(),
            command.Recipient?.Trim() ?? "",
            command.Phone ?? "",
            province,
            city,
            district,
            command.Detail?.Trim() ?? "",
            string.IsNullOrWhiteSpace(command.PostalCode) ? null : command.PostalCode.Trim(),
            command.IsDefault);
    }

    /// <summary>
    /// A profile change's result: on refusal, the reply (its field errors if it has any, else its refusal); else the
    /// state holding the new profile (the same instance when nothing changed) and whether the display name changed.
    /// </summary>
    public static (MemberState State, MemberResult? Refused, bool Renamed) Apply(MemberState current, MemberProfile profile, ProfileOutcome outcome)
    {
        if (!outcome.Succeeded)
        {
            var detail = outcome.Errors.IsDefaultOrEmpty ? outcome.Refusal!.Detail : string.Join("; ", outcome.Errors);
            return (current, MemberRefusals.Member(outcome.Refusal!.Code, detail), false);
        }

        return outcome.Profile != profile
            ? (current with { Profile = outcome.Profile }, null, outcome.Profile.Nickname != profile.Nickname)
            : (current, null, false);
    }

    /// <summary>
    /// An address saved without an id gets one derived from its content, so a retried save replaces the same
    /// entry instead of adding a duplicate.
    /// </summary>
    private static string AddressIdFor(SaveAddress command)
    {
        var text = string.Join('\n', command.Recipient, command.Phone, command.Region, command.Detail);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return "addr-" + Convert.ToHexStringLower(hash)[..12];
    }
}
