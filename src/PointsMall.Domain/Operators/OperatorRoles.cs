using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace PointsMall.Domain.Operators;

/// <summary>What an operator's account is for; each role grants a fixed set of <see cref="Permission"/>s.</summary>
public enum OperatorRole
{
    /// <summary>Everything, including operators and the rules.</summary>
    SuperAdmin = 0,

    /// <summary>The catalogue, stock, campaigns and lotteries.</summary>
    Merchandiser = 1,

    /// <summary>Orders and shipping.</summary>
    Fulfilment = 2,

    /// <summary>Member lookup, points adjustments up to a limit, and signing a member out.</summary>
    CustomerService = 3,

    /// <summary>Reads everything an operator reads; changes nothing.</summary>
    Analyst = 4,
}

/// <summary>One thing an operator may do in the console; admin routes each require one.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "The suffix rule guards code-access-security permission types, which .NET no longer has; this is the console's own vocabulary.")]
public enum Permission
{
    /// <summary>Read the catalogue, stock alerts, orders, rules, campaigns and lotteries as operators see them.</summary>
    ConsoleRead,

    /// <summary>Look members up: their profiles, balances and ledgers.</summary>
    MembersRead,

    /// <summary>Create and edit products, put them on or off the shelf.</summary>
    CatalogWrite,

    /// <summary>Change stock.</summary>
    StockWrite,

    /// <summary>Create and end campaigns.</summary>
    CampaignsWrite,

    /// <summary>Create and change lotteries.</summary>
    LotteriesWrite,

    /// <summary>Ship and cancel orders.</summary>
    OrdersWrite,

    /// <summary>Adjust a member's points (customer service up to <see cref="OperatorRoles.DefaultAdjustmentLimit"/> a time) and sign a member out.</summary>
    MemberSupport,

    /// <summary>Create members in bulk and report purchases (integrations, load tests).</summary>
    MembersManage,

    /// <summary>Change the earning, tier and expiry rules.</summary>
    RulesWrite,

    /// <summary>Create, change, disable operators and reset their passwords.</summary>
    OperatorsManage,

    /// <summary>Search the audit log of admin writes.</summary>
    AuditRead,
}

/// <summary>The permission matrix: one table, read by the API's authorization policies and shown in the console.</summary>
public static partial class OperatorRoles
{
    /// <summary>The largest points adjustment (either way) a customer-service operator may make at once, unless configured.</summary>
    public const long DefaultAdjustmentLimit = 10_000;

    private static readonly FrozenDictionary<OperatorRole, FrozenSet<Permission>> Matrix = new Dictionary<OperatorRole, FrozenSet<Permission>>
    {
        [OperatorRole.SuperAdmin] = Enum.GetValues<Permission>().ToFrozenSet(),
        [OperatorRole.Merchandiser] = new[] { Permission.ConsoleRead, Permission.CatalogWrite, Permission.StockWrite, Permission.CampaignsWrite, Permission.LotteriesWrite }.ToFrozenSet(),
        [OperatorRole.Fulfilment] = new[] { Permission.ConsoleRead, Permission.OrdersWrite }.ToFrozenSet(),
        [OperatorRole.CustomerService] = new[] { Permission.ConsoleRead, Permission.MembersRead, Permission.MemberSupport }.ToFrozenSet(),
        [OperatorRole.Analyst] = new[] { Permission.ConsoleRead, Permission.MembersRead }.ToFrozenSet(),
    }.ToFrozenDictionary();

    public static IReadOnlyCollection<Permission> PermissionsOf(OperatorRole role)
        => Matrix.TryGetValue(role, out var permissions) ? permissions : FrozenSet<Permission>.Empty;

    public static bool Allows(OperatorRole role, Permission permission) => Matrix.TryGetValue(role, out var permissions) && permissions.Contains(permission);

    /// <summary>Whether the role's points adjustments are capped (every role but the super admin's that may adjust).</summary>
    public static bool AdjustmentsAreLimited(OperatorRole role) => role != OperatorRole.SuperAdmin;

    /// <summary>The name a role or permission goes by in tokens, the API and the console: <c>customer-service</c>, <c>catalog-write</c>.</summary>
    public static string NameOf<TEnum>(TEnum value) where TEnum : struct, Enum => KebabBoundary().Replace(value.ToString(), "-$1").ToLowerInvariant();

    /// <summary>Reads a role by its name (<c>customer-service</c>) or its enum name in any case; never a number.</summary>
    public static bool TryParse(string? text, out OperatorRole role)
    {
        role = default;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        foreach (var candidate in Enum.GetValues<OperatorRole>())
        {
            if (string.Equals(NameOf(candidate), trimmed, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.ToString(), trimmed, StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex KebabBoundary();
}

/// <summary>What an operator's login may be: 3–32 lowercase letters, digits, '.', '_' or '-', starting with a letter, so it can never be read as a phone number or an e-mail address.</summary>
public static partial class OperatorLogins
{
    public const int MaxLength = 32;

    public static string? Normalise(string? login)
    {
        var trimmed = login?.Trim().ToLowerInvariant();
        return trimmed is not null && Shape().IsMatch(trimmed) ? trimmed : null;
    }

    [GeneratedRegex("^[a-z][a-z0-9._-]{2,31}$")]
    private static partial Regex Shape();
}
