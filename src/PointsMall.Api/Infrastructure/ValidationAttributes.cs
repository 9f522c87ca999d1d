using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Operators;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Infrastructure;

// The API's own request formats as DataAnnotations, for the framework's validation (see RequestValidation). Each lets
// null through (a missing value is RequiredAttribute's business) and reports one message without the field's name:
// the problem's errors key names the field.

/// <summary>The shapes of ids and references in paths, bodies and headers.</summary>
public static class Identifiers
{
    public const int MaxIdLength = 64;
    public const int MaxReferenceLength = 100;

    /// <summary>An id, reference or key: 1 to <paramref name="maxLength"/> visible ASCII characters, no spaces (a proxy may trim them).</summary>
    public static bool IsToken(string? value, int maxLength = MaxIdLength)
        => !string.IsNullOrEmpty(value) && value.Length <= maxLength && value.All(c => c is > ' ' and <= '~');

    /// <summary>An id an operator chooses (lottery, tier, campaign): 1 to 64 letters, digits, '-' or '_'.</summary>
    public static bool IsSlug(string? value)
        => value is { Length: > 0 and <= MaxIdLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>
/// Text of at most <paramref name="maxLength"/> characters once trimmed. Blank passes as "none" unless
/// <see cref="StringLengthAttribute.MinimumLength"/> says otherwise; a required field adds <see cref="RequiredAttribute"/>,
/// which refuses blank text too.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TextAttribute(int maxLength) : StringLengthAttribute(maxLength)
{
    public override bool IsValid(object? value)
        => value is not string text || text.Trim().Length is var length && length >= MinimumLength && length <= MaximumLength;

    public override string FormatErrorMessage(string name)
        => MinimumLength > 0
            ? string.Format(CultureInfo.InvariantCulture, "{0} to {1} characters.", MinimumLength, MaximumLength)
            : string.Format(CultureInfo.InvariantCulture, "At most {0} characters.", MaximumLength);
}

/// <summary>A list of whole numbers, each between <paramref name="minimum"/> and <paramref name="maximum"/>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class EachBetweenAttribute(long minimum, long maximum) : ValidationAttribute($"Each {minimum} to {maximum}.")
{
    public long Minimum => minimum;

    public long Maximum => maximum;

    public override bool IsValid(object? value) => value is not IEnumerable<long> items || items.All(i => i >= minimum && i <= maximum);
}

/// <summary>A number that must not be 0.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class NotZeroAttribute() : ValidationAttribute("Not 0.")
{
    public override bool IsValid(object? value) => value is null || Convert.ToDecimal(value, CultureInfo.InvariantCulture) != 0m;
}

/// <summary>See <see cref="Identifiers.IsToken"/>; a length attribute, so the OpenAPI document shows the bounds.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public class TokenAttribute : StringLengthAttribute
{
    public TokenAttribute(int maxLength = Identifiers.MaxIdLength)
        : base(maxLength) => MinimumLength = 1;

    public override bool IsValid(object? value) => value is null || Identifiers.IsToken(value as string, MaximumLength);

    public override string FormatErrorMessage(string name)
        => string.Format(CultureInfo.InvariantCulture, "1 to {0} printable characters without spaces.", MaximumLength);
}

/// <summary>An id an operator may choose (<see cref="Identifiers.IsSlug"/>, once trimmed); blank is none (one is made up).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SlugAttribute() : ValidationAttribute($"1 to {Identifiers.MaxIdLength} letters, digits, '-' or '_'.")
{
    public override bool IsValid(object? value) => value is not string id || string.IsNullOrWhiteSpace(id) || Identifiers.IsSlug(id.Trim());
}

/// <summary>The <c>Idempotency-Key</c> header: absent (a new attempt) or a token of at most 100 characters.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class IdempotencyKeyAttribute : TokenAttribute
{
    public IdempotencyKeyAttribute()
        : base(IdempotencyKeys.MaxLength)
    {
    }

    public override string FormatErrorMessage(string name) => IdempotencyKeys.Rule;
}

/// <summary>A mainland China mobile number, as <see cref="ContactValidation.NormalisePhone"/> accepts it (spaces, dashes and +86 allowed).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ChinaMobileAttribute() : ValidationAttribute("A mainland China mobile number.")
{
    public override bool IsValid(object? value) => value is null || ContactValidation.NormalisePhone(value as string) is not null;
}

/// <summary>An e-mail address, as <see cref="ContactValidation.NormaliseEmail"/> accepts it.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ContactEmailAttribute() : ValidationAttribute("Not a valid e-mail address.")
{
    public override bool IsValid(object? value) => value is null || ContactValidation.NormaliseEmail(value as string) is not null;
}

/// <summary>A page number: from 1, at most the given page (deep pages are narrowed, not paged to).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PageAttribute : RangeAttribute
{
    public const int DefaultMax = 100_000;

    public PageAttribute(int max = DefaultMax)
        : base(1, max) => ErrorMessage = $"From 1 to {max}.";
}

/// <summary>A page size: 1 to the given size.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PageSizeAttribute : RangeAttribute
{
    public const int DefaultMax = 100;

    public PageSizeAttribute(int max = DefaultMax)
        : base(1, max) => ErrorMessage = $"Between 1 and {max}.";
}

/// <summary>A page of a list in the query string: <c>page</c> from 1, <c>pageSize</c> 1 to 100 (the route's default when absent).</summary>
public record PageQuery
{
    [FromQuery(Name = "page"), Page]
    public int? Page { get; init; }

    [FromQuery(Name = "pageSize"), PageSize]
    public int? PageSize { get; init; }
}

/// <summary>One of <paramref name="values"/>, ignoring case and surrounding spaces.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(params string[] values) : ValidationAttribute("One of " + string.Join(", ", values) + ".")
{
    public IReadOnlyList<string> Values => values;

    public override bool IsValid(object? value)
        => value is null || (value is string s && values.Contains(s.Trim(), StringComparer.OrdinalIgnoreCase));
}

/// <summary>The name of a member of <paramref name="enumType"/>, in any case (a number is not a name).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class EnumNameAttribute(Type enumType) : ValidationAttribute("One of " + string.Join(", ", Enum.GetNames(enumType)) + ".")
{
    public Type EnumType => enumType;

    public override bool IsValid(object? value)
        => value is null || (value is string s && EnumNames.IsName(enumType, s));
}

/// <summary>A member tier as <see cref="TierNames.TryParse"/> reads it.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TierNameAttribute() : ValidationAttribute("One of " + string.Join(", ", Enum.GetNames<Tier>()) + ".")
{
    public override bool IsValid(object? value) => value is null || TierNames.TryParse(value as string, out _);
}

/// <summary>A gender as the member profile stores it (<see cref="MemberProfile.Genders"/>), in any case.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class GenderAttribute() : ValidationAttribute("One of " + string.Join(", ", MemberProfile.Genders) + ".")
{
    public override bool IsValid(object? value)
        => value is null || (value is string s && MemberProfile.Genders.Contains(s.Trim().ToLowerInvariant()));
}

/// <summary>A redemption's payment mode (<see cref="PaymentModes"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PaymentModeAttribute() : ValidationAttribute("One of " + string.Join(", ", PaymentModes.All) + ".")
{
    public override bool IsValid(object? value) => value is null || PaymentModes.IsKnown(value as string);
}

/// <summary>An amount of money in yuan: at most two decimals (fen).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class YuanAttribute() : ValidationAttribute("At most two decimals.")
{
    public override bool IsValid(object? value) => value is not decimal yuan || decimal.Round(yuan, 2) == yuan;
}

/// <summary>A mainland China postal code (<see cref="MemberProfile.IsPostalCode"/>); blank is none.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PostalCodeAttribute() : ValidationAttribute("Six digits.")
{
    public override bool IsValid(object? value)
        => value is not string code || string.IsNullOrWhiteSpace(code) || MemberProfile.IsPostalCode(code.Trim());
}

/// <summary>An operator's login (<see cref="OperatorLogins"/>): 3–32 lowercase letters, digits, '.', '_' or '-', starting with a letter.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OperatorLoginAttribute() : ValidationAttribute("3 to 32 lowercase letters, digits, '.', '_' or '-', starting with a letter.")
{
    public override bool IsValid(object? value) => value is null || (value is string s && OperatorLogins.Normalise(s) == s.Trim());
}

/// <summary>An operator role by name: super-admin, merchandiser, fulfilment, customer-service or analyst.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OperatorRoleNameAttribute() : ValidationAttribute("One of " + string.Join(", ", Enum.GetValues<OperatorRole>().Select(OperatorRoles.NameOf)) + ".")
{
    public override bool IsValid(object? value) => value is null || (value is string s && OperatorRoles.TryParse(s, out _));
}
