using System;
using System.Text;

namespace PointsMall.Actors.Generators;

/// <summary>
/// The grain type name derived from an interface name when it carries no [GrainType]. The name is part of every
/// stored row's key, so this must stay stable: <c>IProductStockGrain</c> is <c>product-stock</c>, forever.
/// </summary>
internal static class GrainTypeNames
{
    private const string GrainSuffix = "Grain";

    public static string Derive(string interfaceName)
    {
        var name = StripInterfacePrefix(interfaceName);
        if (name.Length > GrainSuffix.Length && name.EndsWith(GrainSuffix, StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - GrainSuffix.Length);
        }

        return ToKebabCase(name);
    }

    /// <summary><c>IMemberGrain</c> → <c>MemberGrain</c>; <c>Inventory</c> keeps its I.</summary>
    public static string StripInterfacePrefix(string interfaceName)
        => interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1])
            ? interfaceName.Substring(1)
            : interfaceName;

    /// <summary><c>ProductStock</c> → <c>product-stock</c>; acronyms stay whole: <c>HTTPServer</c> → <c>http-server</c>.</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' || c == '-')
            {
                AppendSeparator(builder);
                continue;
            }

            if (char.IsUpper(c))
            {
                var startsWord = i > 0
                    && (char.IsLower(name[i - 1])
                        || char.IsDigit(name[i - 1])
                        || (char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1])));
                if (startsWord)
                {
                    AppendSeparator(builder);
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        while (builder.Length > 0 && builder[builder.Length - 1] == '-')
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    private static void AppendSeparator(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '-')
        {
            builder.Append('-');
        }
    }
}
