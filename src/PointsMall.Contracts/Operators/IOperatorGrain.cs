using PointsMall.Contracts.Common;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Operators;

namespace PointsMall.Contracts.Operators;

/// <summary>An operator as the console and the directory see it (never its password hash).</summary>
[GenerateSerializer, Immutable]
public sealed record OperatorView(
    [property: Id(0)] string Login,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] OperatorRole Role,
    [property: Id(3)] bool Disabled,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt);

[GenerateSerializer, Immutable]
public sealed record CreateOperator([property: Id(0)] string DisplayName, [property: Id(1)] OperatorRole Role, [property: Id(2)] string Password);

/// <summary>A change of name and/or role; a new role signs the operator out everywhere, so its next token carries the new role.</summary>
[GenerateSerializer, Immutable]
public sealed record UpdateOperator([property: Id(0)] string? DisplayName, [property: Id(1)] OperatorRole? Role);

/// <summary>
/// The operator after a change, or why the change was refused (nothing changed then); <see cref="Revoked"/> lists the
/// sessions the change ended, so the node that asked stops accepting their tokens at once.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OperatorResult([property: Id(0)] OperatorView? Operator, [property: Id(1)] Problem? Refusal)
{
    [Id(2)] public IReadOnlyList<RevokedSession> Revoked { get; init; } = [];

    public static OperatorResult Ok(OperatorView view, IReadOnlyList<RevokedSession>? revoked = null) => new(view, null) { Revoked = revoked ?? [] };

    public static OperatorResult Refused(string code, string detail) => new(null, new Problem(code, detail));
}

/// <summary>
/// An operator account of the admin console (key: the login, <see cref="OperatorLogins"/>). The first one,
/// <c>admin</c>, is a super admin created on first start; the others are created by a super admin.
/// </summary>
[Alias("operator")]
public interface IOperatorGrain : IGrainWithStringKey
{
    /// <summary>Creates the operator as a super admin with this password unless it exists; true when it was created now.</summary>
    Task<bool> EnsureCreatedAsync(string password);

    /// <summary>Creates the operator; refused with <c>conflict</c> when the login is taken.</summary>
    Task<OperatorResult> CreateAsync(CreateOperator command);

    /// <summary>The operator, or null when there is none by this login.</summary>
    Task<OperatorView?> GetAsync();

    /// <summary>The operator when the password is right and the account enabled; null otherwise (the caller cannot tell which).</summary>
    Task<OperatorView?> SignInAsync(string password);

    Task<OperatorResult> UpdateAsync(UpdateOperator command);

    /// <summary>Disables (every session revoked, sign-in refused) or enables the operator.</summary>
    Task<OperatorResult> SetDisabledAsync(bool disabled);

    /// <summary>Sets a new password and revokes every session of this operator (its tokens stop working); refused when there is no such operator.</summary>
    Task<OperatorResult> SetPasswordAsync(string password);

    /// <summary>The operator's own change: refused with <c>wrong_password</c> when <paramref name="current"/> is wrong.</summary>
    Task<OperatorResult> ChangePasswordAsync(string current, string replacement);
}

/// <summary>Every operator (key: <see cref="Key"/>): a query of the index each operator grain keeps with its state.</summary>
[Alias("operator-directory")]
public interface IOperatorDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>The index operator grains write with each change.</summary>
    public const string Index = "operators";

    /// <summary>More operators than a mall employs; the list is one page.</summary>
    public const int MaxOperators = 500;

    /// <summary>Every operator, most recently created first.</summary>
    Task<IReadOnlyList<OperatorView>> ListAsync();
}
