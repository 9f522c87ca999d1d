using System.Text.RegularExpressions;

namespace PointsMall.Domain.Members;

/// <summary>Validation and normalisation of registration identifiers.</summary>
public static partial class ContactValidation
{
    /// <summary>
    /// Mainland China mobile number → E.164 (<c>+8613812345678</c>). Accepts an optional +86 / 86 / 0086
    /// prefix and spaces, dashes or parentheses as separators. Mobile numbers are 11 digits starting 1[3-9].
    /// Returns null when invalid.
    /// </summary>
    public static string? NormalisePhone(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        var compact = Separators().Replace(input.Trim(), "");
        if (compact.StartsWith('+'))
        {
            if (!compact.StartsWith("+86", StringComparison.Ordinal))
            {
                return null;
            }

            compact = compact[3..];
        }
        else if (compact.StartsWith("0086", StringComparison.Ordinal) && compact.Length == 15)
        {
            compact = compact[4..];
        }
        else if (compact.StartsWith("86", StringComparison.Ordinal) && compact.Length == 13)
        {
            compact = compact[2..];
        }

        return ChinaMobile().IsMatch(compact) ? "+86" + compact : null;
    }

    /// <summary>
    /// E-mail → trimmed and lower-cased (mainstream providers treat the local part case-insensitively, and
    /// one address must map to one member). A pragmatic check: one @, a dotted domain, no spaces.
    /// </summary>
    public static string? NormaliseEmail(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        var email = input.Trim().ToLowerInvariant();
        return email.Length <= 254 && Email().IsMatch(email) ? email : null;
    }

    [GeneratedRegex(@"[\s\-()]")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex ChinaMobile();

    [GeneratedRegex(@"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex Email();
}
