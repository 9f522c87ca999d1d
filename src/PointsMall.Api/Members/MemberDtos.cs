using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Members;
using MemberProfile = PointsMall.Domain.Members.MemberProfile;

namespace PointsMall.Api.Members;

// ---- requests: every field nullable, so a missing field is a validation problem rather than a binding fault ----

public sealed record UpdateProfileRequest(
    [property: Text(MemberProfile.MaxNicknameLength, MinimumLength = 1)] string? DisplayName,
    [property: Gender] string? Gender,
    DateOnly? Birthday) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DisplayName is null && Gender is null && Birthday is null)
        {
            yield return new ValidationResult("Give at least one of displayName, gender, birthday.", [nameof(DisplayName)]);
        }
    }
}

/// <summary>A shipping address: the region as <c>province</c>, <c>city</c> (and <c>district</c>), or as one <c>region</c> string.</summary>
public sealed record AddressRequest(
    [property: Required, Text(MemberProfile.MaxRecipientLength)] string? Recipient,
    [property: Required, ChinaMobile] string? Phone,
    [property: SplitRegion, Text(AddressRequest.MaxRegionPartLength)] string? Province,
    [property: SplitRegion, Text(AddressRequest.MaxRegionPartLength)] string? City,
    [property: Text(AddressRequest.MaxRegionPartLength)] string? District,
    [property: Text(3 * AddressRequest.MaxRegionPartLength)] string? Region,
    [property: Required, Text(AddressRequest.MaxDetailLength)] string? Detail,
    [property: PostalCode] string? PostalCode,
    bool? IsDefault)
{
    public const int MaxRegionPartLength = 40;
    public const int MaxDetailLength = 200;

    /// <summary>The region is given in parts (province and city) rather than as one string.</summary>
    [JsonIgnore]
    public bool IsSplit => !string.IsNullOrWhiteSpace(Province) || !string.IsNullOrWhiteSpace(City);

    public SaveAddress ToSaveAddress(string? id)
    {
        var region = IsSplit
            ? string.Join(' ', new[] { Province, City, District }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()))
            : Region!.Trim();
        return new SaveAddress(id, Recipient!.Trim(), Phone!, region, Detail!.Trim(), IsDefault ?? false)
        {
            Province = IsSplit ? Province!.Trim() : null,
            City = IsSplit ? City!.Trim() : null,
            District = IsSplit ? District?.Trim() : null,
            PostalCode = string.IsNullOrWhiteSpace(PostalCode) ? null : PostalCode.Trim(),
        };
    }
}

/// <summary>
/// On <see cref="AddressRequest.Province"/> and <see cref="AddressRequest.City"/>: given in parts, both are required;
/// otherwise the one-string region is (reported on the province). A field rule rather than a whole-request one, so it
/// is reported together with the other fields' faults.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SplitRegionAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        if (validationContext.ObjectInstance is not AddressRequest address || !string.IsNullOrWhiteSpace(value as string))
        {
            return ValidationResult.Success;
        }

        var members = validationContext.MemberName is { } member ? new[] { member } : null;
        if (address.IsSplit)
        {
            return new ValidationResult("Required with the other region parts.", members);
        }

        return validationContext.MemberName == nameof(AddressRequest.Province) && string.IsNullOrWhiteSpace(address.Region)
            ? new ValidationResult("Give province and city (and district), or region as \"province city district\".", members)
            : ValidationResult.Success;
    }
}

public sealed record AdjustPointsRequest(
    [property: Required, NotZero, Range(-(double)AdminMembersEndpoints.MaxPoints, AdminMembersEndpoints.MaxPoints, ErrorMessage = "Between {1} and {2} (negative deducts).")] long? Amount,
    [property: Required, Text(AdminMembersEndpoints.MaxReasonLength)] string? Reason,
    [property: Token(AdminMembersEndpoints.MaxOperationIdLength)] string? OperationId);

public sealed record BulkMembersRequest(
    [property: Required, Range(1, AdminMembersEndpoints.MaxBulkCount, ErrorMessage = "Between {1} and {2}.")] int? Count,
    [property: Range(0, AdminMembersEndpoints.MaxPoints, ErrorMessage = "Between {1} and {2}.")] long? StartingPoints,
    [property: Text(AdminMembersEndpoints.MaxDisplayNamePrefixLength, MinimumLength = 1)] string? DisplayNamePrefix,
    AddressRequest? ShippingAddress = null);

/// <summary>A purchase paid elsewhere (in yuan), identified by its reference: the same reference earns once.</summary>
public sealed record EarnRequest(
    [property: Required, Token(AdminMembersEndpoints.MaxOperationIdLength)] string? MemberId,
    [property: Required, Yuan, Range(typeof(decimal), "0", "100000000", MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true,
        ConvertValueInInvariantCulture = true, ErrorMessage = "Above {1}, at most {2}.")] decimal? PurchaseAmount,
    [property: Required, Token(AdminMembersEndpoints.MaxOperationIdLength)] string? Reference);

// ---- responses ----

public sealed record AddressResponse(
    string Id, string Recipient, string Phone, string Province, string City, string District, string Region, string Detail,
    string? PostalCode, bool IsDefault)
{
    public static AddressResponse From(AddressView a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Id, a.Recipient, a.Phone, a.Province, a.City, a.District, a.Region, a.Detail, a.PostalCode, a.IsDefault);
    }
}

public sealed record MeResponse(
    string Id,
    string DisplayName,
    string? Phone,
    string? Email,
    long Balance,
    string Tier,
    long LifetimeEarned,
    long TierPoints,
    string? NextTier,
    long PointsToNextTier,
    DateTimeOffset RegisteredAt,
    int SignInStreak,
    bool SignedInToday,
    DateOnly? LastSignIn,
    string? Gender,
    DateOnly? Birthday,
    IReadOnlyList<AddressResponse> Addresses)
{
    public static MeResponse From(MemberView m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(
            m.Id, m.DisplayName, m.Phone, m.Email, m.Balance, m.Tier, m.LifetimeEarned, m.TierPoints, m.NextTier, m.PointsToNextTier,
            m.RegisteredAt, m.SignInStreak, m.SignedInToday, m.LastSignIn, m.Gender, m.Birthday, [.. m.Addresses.Select(AddressResponse.From)]);
    }
}

public sealed record LedgerItem(DateTimeOffset At, string Kind, string Source, string Reason, long Amount, long BalanceAfter, string OperationId);

public sealed record LedgerResponse(IReadOnlyList<LedgerItem> Items, int Page, int PageSize, int Total)
{
    public static LedgerResponse From(LedgerPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new(
            [.. page.Entries.Select(e => new LedgerItem(e.At, e.Kind, e.Source, e.Reason, e.Amount, e.RunningBalance, e.OperationId))],
            page.Page, page.PageSize, page.Total);
    }
}

public sealed record ExpiringItem(string LotId, long Amount, string Source, DateTimeOffset EarnedAt, DateTimeOffset? ExpiresAt);

/// <summary><c>total</c> is the points that expire in the window; <c>count</c> the lots they are in.</summary>
public sealed record ExpiringResponse(IReadOnlyList<ExpiringItem> Items, long Total, int Count, int Days);

public sealed record SignInResponse(int StreakDay, long PointsAwarded, long Bonus, long Balance);

public sealed record SignInLadderStep(int Day, long Points, long Bonus);

public sealed record SignInCalendarResponse(
    int Streak, bool SignedInToday, DateOnly Today, IReadOnlyList<string> Days, IReadOnlyList<SignInLadderStep> Ladder,
    long StreakBonus, int BonusEveryDays, long NextPoints, long NextBonus);

public sealed record MemberListItem(string Id, string DisplayName, string? Phone, string? Email, long Balance, string Tier, DateTimeOffset RegisteredAt);

public sealed record MemberListResponse(IReadOnlyList<MemberListItem> Items, int Page, int PageSize, int Total);

public sealed record ProfileChangeItem(DateTimeOffset At, string Field, string? OldValue, string? NewValue);

/// <summary>What an operator sees of one member: the member's own view, its change log and the points audit.</summary>
public sealed record AdminMemberResponse(
    MeResponse Member, bool Provisioned, IReadOnlyList<ProfileChangeItem> Changes, long OpenLots, long LedgerSum, bool Reconciles);

public sealed record AdjustPointsResponse(string MemberId, long Amount, long Balance, string OperationId, bool Replayed);

public sealed record BulkMember(string Id, string AccessToken);

public sealed record BulkMembersResponse(IReadOnlyList<BulkMember> Members, string TokenType, long ExpiresIn);

public sealed record EarnResponse(string MemberId, long PointsAwarded, long Balance, string Reference, bool Replayed);
