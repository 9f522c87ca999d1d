using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using PointsMall.Api.Auth;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Operators;

/// <summary>
/// The permission matrix as authorization policies: one policy per <see cref="Permission"/>, met by an operator whose
/// token's role grants it (<see cref="OperatorRoles"/>). Admin routes that change something each require one; the
/// console's reads require <see cref="Permission.ConsoleRead"/>, which every role has.
/// </summary>
public static class OperatorPermissions
{
    private const string Prefix = "permission:";

    public static string PolicyName(Permission permission) => Prefix + OperatorRoles.NameOf(permission);

    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var permission in Enum.GetValues<Permission>())
        {
            builder.AddPolicy(PolicyName(permission), p => p
                .RequireRole(AuthClaims.AdminRole)
                .AddRequirements(new PermissionRequirement(permission)));
        }

        builder.Services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        return builder;
    }

    /// <summary>Only operators whose role grants <paramref name="permission"/> may call these routes.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder
        => builder.RequireAuthorization(PolicyName(permission));

    /// <summary>The caller's operator role; null for members, anonymous callers and tokens without one.</summary>
    public static OperatorRole? RoleOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(AuthClaims.AdminRole) && user.FindFirst(AuthClaims.OperatorRole)?.Value is { } name && OperatorRoles.TryParse(name, out var role)
            ? role
            : null;
    }

    public static bool Has(ClaimsPrincipal user, Permission permission) => RoleOf(user) is { } role && OperatorRoles.Allows(role, permission);

    public sealed record PermissionRequirement(Permission Permission) : IAuthorizationRequirement;

    private sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
        {
            if (Has(context.User, requirement.Permission))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
