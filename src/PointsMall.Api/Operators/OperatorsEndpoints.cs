using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Operators;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Operators;

/// <summary>
/// Operator accounts: a super admin creates them, changes their role, disables them and resets their passwords;
/// every operator reads its own account and changes its own password. One enabled super admin always remains.
/// </summary>
public static class OperatorsEndpoints
{
    public static IEndpointRouteBuilder MapOperators(this IEndpointRouteBuilder routes)
    {
        var self = routes.MapGroup("/admin/me").WithTags("Admin: operators").RequireAuthorization(ApiSetup.AdminPolicy);
        self.MapGet("", MeAsync).WithName("GetOperatorSelf")
            .WithSummary("The signed-in operator: login, role and the permissions the console shows and hides by.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        self.MapPost("/password", ChangeOwnPasswordAsync).WithName("ChangeOperatorPassword")
            .WithSummary("Changes the signed-in operator's password (the current one is required); every session of it ends.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.WrongPassword);

        var admin = routes.MapGroup("/admin").WithTags("Admin: operators").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/roles", Roles).WithName("ListOperatorRoles").WithSummary("The roles and the permissions each grants.");
        var manage = admin.MapGroup("/operators").RequirePermission(Permission.OperatorsManage);
        manage.MapGet("", ListAsync).WithName("ListOperators").WithSummary("Every operator account, newest first.");
        manage.MapPost("", CreateAsync).WithName("CreateOperator").WithSummary("Creates an operator account with a role and a first password.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.Conflict);
        manage.MapPut("/{login}", UpdateAsync).Audited(OperatorSnapshot).WithName("UpdateOperator")
            .WithSummary("Renames an operator or changes its role; a new role signs it out everywhere.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.Conflict);
        manage.MapPost("/{login}/disable", DisableAsync).Audited(OperatorSnapshot).WithName("DisableOperator")
            .WithSummary("Disables an operator: its sessions end and it can no longer sign in.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        manage.MapPost("/{login}/enable", EnableAsync).Audited(OperatorSnapshot).WithName("EnableOperator").WithSummary("Lets a disabled operator sign in again.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        manage.MapPost("/{login}/password", ResetPasswordAsync).Audited(OperatorSnapshot).WithName("ResetOperatorPassword")
            .WithSummary("Sets an operator's password; every session of it ends.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode);

        admin.MapGet("/audit", AuditAsync).RequirePermission(Permission.AuditRead).WithName("SearchAuditLog")
            .WithSummary("The audit log of admin writes, newest first: by operator, by action (a route's name) and by text in the target or path.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        return routes;
    }

    /// <summary>The operator an admin route changes, for the audit's before → after.</summary>
    private static async Task<object?> OperatorSnapshot(HttpContext context, IGrainFactory grains)
        => OperatorLogins.Normalise(context.Request.RouteValues["login"] as string) is { } login ? await Account(grains, login).GetAsync() : null;

    private static async Task<Ok<AuditPageDto>> AuditAsync([AsParameters] AuditSearch query, IGrainFactory grains)
    {
        var page = await grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key)
            .SearchAsync(new AuditQuery(query.Operator, query.Action, query.Q, query.Page ?? 1, query.PageSize ?? 20));
        return TypedResults.Ok(new AuditPageDto([.. page.Items.Select(AuditEntryDto.From)], page.Page, page.PageSize, page.Total));
    }

    private static async Task<Results<Ok<OperatorDto>, ProblemHttpResult>> MeAsync(ClaimsPrincipal user, IGrainFactory grains)
        => await Account(grains, Login(user)).GetAsync() is { } view ? TypedResults.Ok(OperatorDto.From(view)) : ApiProblems.NotFound("The operator");

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeOwnPasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal user, IGrainFactory grains, SessionRevocations revocations)
    {
        var result = await Account(grains, Login(user)).ChangePasswordAsync(request.CurrentPassword!, request.NewPassword!);
        revocations.Add(result.Revoked);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.NoContent();
    }

    private static Ok<IReadOnlyList<RoleDto>> Roles()
        => TypedResults.Ok<IReadOnlyList<RoleDto>>([.. Enum.GetValues<OperatorRole>().Select(r => new RoleDto(OperatorRoles.NameOf(r), OperatorDto.PermissionNames(r)))]);

    private static async Task<Ok<OperatorListDto>> ListAsync(IGrainFactory grains)
        => TypedResults.Ok(new OperatorListDto([.. (await Directory(grains).ListAsync()).Select(OperatorDto.From)]));

    private static async Task<Results<Created<OperatorDto>, ProblemHttpResult>> CreateAsync(CreateOperatorRequest request, IGrainFactory grains)
    {
        // Validation has checked both; the guard only makes the parse's outcome explicit.
        if (OperatorLogins.Normalise(request.Login) is not { } login || !OperatorRoles.TryParse(request.Role, out var role))
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["login"] = ["Not a valid login or role."] });
        }

        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? login : request.DisplayName.Trim();
        var result = await Account(grains, login).CreateAsync(new CreateOperator(displayName, role, request.Password!));
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Created($"/api/v1/admin/operators/{login}", OperatorDto.From(result.Operator!));
    }

    private static async Task<Results<Ok<OperatorDto>, ProblemHttpResult>> UpdateAsync(
        string login, UpdateOperatorRequest request, IGrainFactory grains, SessionRevocations revocations)
    {
        if (await FindAsync(grains, login) is not { } current)
        {
            return ApiProblems.NotFound("The operator");
        }

        OperatorRole? role = OperatorRoles.TryParse(request.Role, out var parsed) ? parsed : null;
        if (role is { } next && next != OperatorRole.SuperAdmin && await IsLastSuperAdminAsync(grains, current))
        {
            return LastSuperAdmin();
        }

        var name = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        return Answer(await Account(grains, current.Login).UpdateAsync(new UpdateOperator(name, role)), revocations);
    }

    private static async Task<Results<Ok<OperatorDto>, ProblemHttpResult>> DisableAsync(
        string login, ClaimsPrincipal user, IGrainFactory grains, SessionRevocations revocations)
    {
        if (await FindAsync(grains, login) is not { } current)
        {
            return ApiProblems.NotFound("The operator");
        }

        if (current.Login == Login(user))
        {
            return ApiProblems.Of(ApiProblems.Conflict, "An operator cannot disable itself.");
        }

        return await IsLastSuperAdminAsync(grains, current) ? LastSuperAdmin() : Answer(await Account(grains, current.Login).SetDisabledAsync(true), revocations);
    }

    private static async Task<Results<Ok<OperatorDto>, ProblemHttpResult>> EnableAsync(string login, IGrainFactory grains, SessionRevocations revocations)
        => await FindAsync(grains, login) is { } current
            ? Answer(await Account(grains, current.Login).SetDisabledAsync(false), revocations)
            : ApiProblems.NotFound("The operator");

    private static async Task<Results<Ok<OperatorDto>, ProblemHttpResult>> ResetPasswordAsync(
        string login, SetOperatorPasswordRequest request, IGrainFactory grains, SessionRevocations revocations)
        => await FindAsync(grains, login) is { } current
            ? Answer(await Account(grains, current.Login).SetPasswordAsync(request.Password!), revocations)
            : ApiProblems.NotFound("The operator");

    /// <summary>
    /// Whether taking <paramref name="target"/>'s super-admin rights away would leave none enabled. Read from the
    /// directory, so two super admins demoting each other in the same instant could both pass: a race between people
    /// at consoles, rare enough not to warrant a coordinating grain on every operator change.
    /// </summary>
    private static async Task<bool> IsLastSuperAdminAsync(IGrainFactory grains, OperatorView target)
        => target is { Role: OperatorRole.SuperAdmin, Disabled: false }
           && !(await Directory(grains).ListAsync()).Any(o => o is { Role: OperatorRole.SuperAdmin, Disabled: false } && o.Login != target.Login);

    private static ProblemHttpResult LastSuperAdmin() => ApiProblems.Of(ApiProblems.Conflict, "At least one enabled super admin must remain.");

    private static async Task<OperatorView?> FindAsync(IGrainFactory grains, string login)
        => OperatorLogins.Normalise(login) is { } normalised ? await Account(grains, normalised).GetAsync() : null;

    /// <summary>The change's answer; the sessions it ended stop working on this node at once (the others follow within the refresh interval).</summary>
    private static Results<Ok<OperatorDto>, ProblemHttpResult> Answer(OperatorResult result, SessionRevocations revocations)
    {
        revocations.Add(result.Revoked);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.Ok(OperatorDto.From(result.Operator!));
    }

    private static string Login(ClaimsPrincipal user) => AuthClaims.SubjectOf(user) ?? throw new InvalidOperationException("The caller has no subject claim.");

    private static IOperatorGrain Account(IGrainFactory grains, string login) => grains.GetGrain<IOperatorGrain>(login);

    private static IOperatorDirectoryGrain Directory(IGrainFactory grains) => grains.GetGrain<IOperatorDirectoryGrain>(IOperatorDirectoryGrain.Key);
}
