using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Operators;
using PointsMall.Domain.Members;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Operators;

/// <summary>An operator account; <c>role</c> is its role's name and <c>permissions</c> what that role may do.</summary>
public sealed record OperatorDto(string Login, string DisplayName, string Role, IReadOnlyList<string> Permissions, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static OperatorDto From(OperatorView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Login, view.DisplayName, OperatorRoles.NameOf(view.Role), PermissionNames(view.Role), view.Disabled, view.CreatedAt, view.UpdatedAt);
    }

    public static IReadOnlyList<string> PermissionNames(OperatorRole role) => [.. OperatorRoles.PermissionsOf(role).Order().Select(OperatorRoles.NameOf)];
}

public sealed record OperatorListDto(IReadOnlyList<OperatorDto> Items);

/// <summary>One role and what it may do, for the console's matrix.</summary>
public sealed record RoleDto(string Role, IReadOnlyList<string> Permissions);

public sealed record CreateOperatorRequest(
    [property: Required, OperatorLogin] string? Login,
    [property: Text(50)] string? DisplayName,
    [property: Required, OperatorRoleName] string? Role,
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? Password);

/// <summary>What is given changes; a new role signs the operator out everywhere.</summary>
public sealed record UpdateOperatorRequest(
    [property: Text(50)] string? DisplayName,
    [property: OperatorRoleName] string? Role);

public sealed record SetOperatorPasswordRequest(
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? Password);

/// <summary>Audit search: <c>operator</c> (a login) and <c>action</c> (a route's name, e.g. UpdateProduct) match exactly, <c>q</c> anywhere in the target or path.</summary>
public sealed record AuditSearch : PageQuery
{
    [FromQuery(Name = "operator"), StringLength(OperatorLogins.MaxLength, ErrorMessage = "At most {1} characters.")]
    public string? Operator { get; init; }

    [FromQuery(Name = "action"), StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Action { get; init; }

    [FromQuery(Name = "q"), StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Q { get; init; }
}

/// <summary>One admin write: <c>before</c> and <c>after</c> are the target's JSON when the route reads it, <c>request</c> the body without secrets.</summary>
public sealed record AuditEntryDto(
    string Id,
    DateTimeOffset At,
    string Operator,
    string Role,
    string Action,
    string Method,
    string Path,
    string Target,
    int Status,
    string? ClientAddress,
    string? Request,
    string? Before,
    string? After)
{
    public static AuditEntryDto From(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Id, e.At, e.Operator, e.Role, e.Action, e.Method, e.Path, e.Target, e.Status, e.ClientAddress, e.Request, e.Before, e.After);
    }
}

public sealed record AuditPageDto(IReadOnlyList<AuditEntryDto> Items, int Page, int PageSize, int Total);
