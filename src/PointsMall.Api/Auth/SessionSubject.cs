using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Auth;

/// <summary>Who signs in: a member (role <c>member</c>) or an operator (role <c>admin</c>), and its sessions grain's key.</summary>
public readonly record struct SessionSubject(string Id, bool IsOperator)
{
    /// <summary>Longest subject id a session key may name (member ids and operator logins are far shorter).</summary>
    public const int MaxIdLength = 100;

    public string Role => IsOperator ? AuthClaims.AdminRole : AuthClaims.MemberRole;

    /// <summary>An operator's role, which its access tokens carry; read from the operator at sign-in and at each refresh.</summary>
    public OperatorRole? OperatorRole { get; init; }

    public string Key => IsOperator ? SessionKeys.Operator(Id) : SessionKeys.Member(Id);

    public static SessionSubject Member(string memberId) => new(memberId, IsOperator: false);

    public static SessionSubject Operator(string login, OperatorRole? role = null) => new(login, IsOperator: true) { OperatorRole = role };

    /// <summary>The subject of a session key, if it is one (printable, no spaces, of a known kind).</summary>
    public static bool TryParse(string key, out SessionSubject subject)
    {
        ArgumentNullException.ThrowIfNull(key);
        subject = default;
        var (prefix, isOperator) = key.StartsWith(SessionKeys.OperatorPrefix, StringComparison.Ordinal)
            ? (SessionKeys.OperatorPrefix, true)
            : (SessionKeys.MemberPrefix, false);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var id = key[prefix.Length..];
        if (id.Length is 0 or > MaxIdLength || !id.All(c => c is > ' ' and <= '~'))
        {
            return false;
        }

        subject = new SessionSubject(id, isOperator);
        return true;
    }

    /// <summary>The subject of an authenticated caller, from its subject and role claims.</summary>
    public static SessionSubject? Of(System.Security.Claims.ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return AuthClaims.SubjectOf(user) is { } id
            ? new SessionSubject(id, user.IsInRole(AuthClaims.AdminRole))
            : null;
    }
}
