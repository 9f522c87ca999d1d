using System.Globalization;

namespace PointsMall.Domain.Common;

/// <summary>
/// How the product reads an enum value written by a person: a member's name in any case, trimmed; never a number,
/// since "3" would otherwise pass as whichever member happens to have that value today, and never a comma list,
/// which .NET reads as flags combined into some other member.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        var trimmed = name?.Trim();
        if (!IsNotAName(trimmed) && Enum.TryParse(trimmed, ignoreCase: true, out value) && Enum.IsDefined(value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The same rule for an enum type known only at run time (validation attributes).</summary>
    public static bool IsName(Type enumType, string? name)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        var trimmed = name?.Trim();
        return !IsNotAName(trimmed) && Enum.TryParse(enumType, trimmed, ignoreCase: true, out var parsed) && Enum.IsDefined(enumType, parsed!);
    }

    private static bool IsNotAName(string? text)
        => text is null || text.Contains(',', StringComparison.Ordinal) || long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
}
