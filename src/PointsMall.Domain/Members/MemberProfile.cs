using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Members;

public sealed record ShippingAddress(
    string Id,
    string Recipient,
    string Phone,
    string Province,
    string City,
    string District,
    string Detail,
    string? PostalCode,
    bool IsDefault);

/// <summary>One recorded change to a profile (changes are logged for audit).</summary>
public sealed record ProfileChange(DateTimeOffset At, string Field, string? OldValue, string? NewValue);

public sealed record ProfileOutcome(MemberProfile Profile, Refusal? Refusal, ImmutableArray<string> Errors)
{
    public bool Succeeded => Refusal is null;

    internal static ProfileOutcome Invalid(MemberProfile profile, IEnumerable<string> errors) =>
        new(profile, new Refusal(RefusalCode.ValidationFailed, "validation_failed"), [.. errors]);
}

/// <summary>
/// Registration and profile data. At least one of phone or e-mail is required; both are stored normalised
/// (phone as E.164, e-mail lower-case) so lookups and uniqueness checks compare like with like.
/// </summary>
public sealed record MemberProfile(
    string MemberId,
    string? Phone,
    string? Email,
    string? Nickname,
    PasswordHash? Password,
    ImmutableList<ShippingAddress> Addresses,
    ImmutableList<ProfileChange> Changes,
    DateTimeOffset RegisteredAt)
{
    public const int MaxAddresses = 20;

    public const int MaxNicknameLength = 40;

    public const int MaxRecipientLength = 40;

    /// <summary>Accepted values of <see cref="Gender"/> (stored lower-case).</summary>
    public static IReadOnlyList<string> Genders { get; } = ["male", "female", "other"];

    /// <summary>Optional; one of <see cref="Genders"/>. Not part of registration, so not positional.</summary>
    public string? Gender { get; init; }

    /// <summary>Optional; never in the future.</summary>
    public DateOnly? Birthday { get; init; }

    public static ProfileOutcome Register(
        string memberId, string? phone, string? email, string? nickname, PasswordHash? password, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        var empty = new MemberProfile(memberId, null, null, null, null, [], [], now);
        var errors = new List<string>();
        var normalisedPhone = ContactValidation.NormalisePhone(phone);
        var normalisedEmail = ContactValidation.NormaliseEmail(email);
        if (!string.IsNullOrWhiteSpace(phone) && normalisedPhone is null)
        {
            errors.Add("phone: not a mainland China mobile number");
        }

        if (!string.IsNullOrWhiteSpace(email) && normalisedEmail is null)
        {
            errors.Add("email: not a valid address");
        }

        if (string.IsNullOrWhiteSpace(phone) && string.IsNullOrWhiteSpace(email))
        {
            errors.Add("phone or email is required");
        }

        if (nickname is { Length: > MaxNicknameLength })
        {
            errors.Add("nickname: at most 40 characters");
        }

        if (errors.Count > 0)
        {
            return ProfileOutcome.Invalid(empty, errors);
        }

        return new ProfileOutcome(
            empty with { Phone = normalisedPhone, Email = normalisedEmail, Nickname = nickname?.Trim(), Password = password },
            null, []);
    }

    public ProfileOutcome ChangePhone(string phone, DateTimeOffset now)
    {
        var normalised = ContactValidation.NormalisePhone(phone);
        return normalised is null
            ? ProfileOutcome.Invalid(this, ["phone: not a mainland China mobile number"])
            : Ok(this with { Phone = normalised, Changes = Changes.Add(new ProfileChange(now, "phone", Phone, normalised)) });
    }

    public ProfileOutcome ChangeEmail(string email, DateTimeOffset now)
    {
        var normalised = ContactValidation.NormaliseEmail(email);
        return normalised is null
            ? ProfileOutcome.Invalid(this, ["email: not a valid address"])
            : Ok(this with { Email = normalised, Changes = Changes.Add(new ProfileChange(now, "email", Email, normalised)) });
    }

    /// <summary>
    /// Changes nickname, gender and birthday; a null argument leaves that field as it is. Every field that
    /// actually changes is logged; nothing changes when any value is invalid.
    /// </summary>
    public ProfileOutcome UpdateDetails(string? nickname, string? gender, DateOnly? birthday, DateTimeOffset now)
    {
        var errors = new List<string>();
        var newNickname = nickname?.Trim();
        if (nickname is not null && (newNickname!.Length == 0 || newNickname.Length > MaxNicknameLength))
        {
            errors.Add($"nickname: 1 to {MaxNicknameLength} characters");
        }

        var newGender = gender?.Trim().ToLowerInvariant();
        if (newGender is not null && !Genders.Contains(newGender))
        {
            errors.Add("gender: one of " + string.Join(", ", Genders));
        }

        if (birthday is { } b && (b > DateOnly.FromDateTime(now.UtcDateTime).AddDays(1) || b.Year < 1900))
        {
            errors.Add("birthday: not in the future, not before 1900");
        }

        if (errors.Count > 0)
        {
            return ProfileOutcome.Invalid(this, errors);
        }

        var profile = this;
        var changes = Changes;
        if (newNickname is not null && newNickname != Nickname)
        {
            changes = changes.Add(new ProfileChange(now, "nickname", Nickname, newNickname));
            profile = profile with { Nickname = newNickname };
        }

        if (newGender is not null && newGender != Gender)
        {
            changes = changes.Add(new ProfileChange(now, "gender", Gender, newGender));
            profile = profile with { Gender = newGender };
        }

        if (birthday is not null && birthday != Birthday)
        {
            changes = changes.Add(new ProfileChange(
                now, "birthday", Birthday?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                birthday.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            profile = profile with { Birthday = birthday };
        }

        return Ok(profile with { Changes = changes });
    }

    /// <summary>The password hash itself is never written to the change log; only that it changed.</summary>
    public ProfileOutcome ChangePassword(PasswordHash password, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Ok(this with { Password = password, Changes = Changes.Add(new ProfileChange(now, "password", null, null)) });
    }

    /// <summary>Adds or replaces (by id) an address. Setting a default clears the previous default.</summary>
    public ProfileOutcome SaveAddress(ShippingAddress address, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(address);
        var errors = ValidateAddress(address);
        var existing = Addresses.FindIndex(a => a.Id == address.Id);
        if (existing < 0 && Addresses.Count >= MaxAddresses)
        {
            errors.Add($"at most {MaxAddresses} addresses");
        }

        if (errors.Count > 0)
        {
            return ProfileOutcome.Invalid(this, errors);
        }

        var normalised = address with { Phone = ContactValidation.NormalisePhone(address.Phone)! };
        var isDefault = normalised.IsDefault || Addresses.Count == 0 || (existing >= 0 && Addresses.Count == 1);
        normalised = normalised with { IsDefault = isDefault };
        var list = isDefault ? Addresses.Select(a => a with { IsDefault = false }).ToImmutableList() : Addresses;
        list = existing >= 0 ? list.SetItem(existing, normalised) : list.Add(normalised);
        var change = new ProfileChange(now, "address", existing >= 0 ? Describe(Addresses[existing]) : null, Describe(normalised));
        return Ok(this with { Addresses = list, Changes = Changes.Add(change) });
    }

    public ProfileOutcome RemoveAddress(string addressId, DateTimeOffset now)
    {
        var index = Addresses.FindIndex(a => a.Id == addressId);
        if (index < 0)
        {
            return new ProfileOutcome(this, new Refusal(RefusalCode.NotFound, "address_not_found"), []);
        }

        var removed = Addresses[index];
        var list = Addresses.RemoveAt(index);
        if (removed.IsDefault && list.Count > 0)
        {
            list = list.SetItem(0, list[0] with { IsDefault = true });
        }

        return Ok(this with { Addresses = list, Changes = Changes.Add(new ProfileChange(now, "address", Describe(removed), null)) });
    }

    /// <summary>A mainland China postal code: six digits.</summary>
    public static bool IsPostalCode(string? value) => value is { Length: 6 } && value.All(char.IsAsciiDigit);

    [JsonIgnore]
    public ShippingAddress? DefaultAddress => Addresses.Find(a => a.IsDefault);

    /// <summary>What is wrong with an address (nothing when the list is empty).</summary>
    public static List<string> ValidateAddress(ShippingAddress a)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(a.Id))
        {
            errors.Add("address id is required");
        }

        if (string.IsNullOrWhiteSpace(a.Recipient) || a.Recipient.Length > MaxRecipientLength)
        {
            errors.Add("recipient is required (at most 40 characters)");
        }

        if (ContactValidation.NormalisePhone(a.Phone) is null)
        {
            errors.Add("address phone: not a mainland China mobile number");
        }

        if (string.IsNullOrWhiteSpace(a.Province) || string.IsNullOrWhiteSpace(a.City) || string.IsNullOrWhiteSpace(a.Detail))
        {
            errors.Add("province, city and street address are required");
        }

        if (a.PostalCode is { } postal && !IsPostalCode(postal))
        {
            errors.Add("postal code: six digits");
        }

        return errors;
    }

    private static string Describe(ShippingAddress a) => $"{a.Id}: {a.Recipient} {a.Province}{a.City}{a.District}{a.Detail}";

    private static ProfileOutcome Ok(MemberProfile profile) => new(profile, null, []);
}
