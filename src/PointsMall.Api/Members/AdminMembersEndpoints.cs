using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Members;

/// <summary>The operators' member routes: search, one member with its audit, points adjustments, bulk members, purchases.</summary>
public static class AdminMembersEndpoints
{
    public const int MaxQueryLength = 100;
    public const int MaxBulkCount = 10_000;
    public const int MaxReasonLength = 200;
    public const int MaxOperationIdLength = 100;
    public const int MaxDisplayNamePrefixLength = 30;
    public const long MaxPoints = 100_000_000;

    /// <summary>Registrations in flight at once during a bulk request: enough to fill group commits, not to flood the mailboxes.</summary>
    private const int BulkParallelism = 256;

    public static IEndpointRouteBuilder MapAdminMembers(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").RequireAuthorization(ApiSetup.AdminPolicy).WithTags("Admin: members");
        admin.MapGet("/members", SearchAsync).RequirePermission(Permission.MembersRead).WithName("SearchMembers")
            .WithSummary("Finds members by phone, name, e-mail or id (empty: everyone), newest first, with live balances and tiers.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapPost("/members/bulk", BulkAsync).RequirePermission(Permission.MembersManage).WithName("CreateBulkMembers")
            .WithSummary("Provisions many members at once (load tests, migrations), each with starting points and an access token.")
            .ProducesProblemCodes(ApiProblems.Conflict);
        admin.MapGet("/members/{id}", GetAsync).RequirePermission(Permission.MembersRead).WithName("GetMember")
            .WithSummary("One member with its profile change log and points audit.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapGet("/members/{id}/points", GetPointsAsync).RequirePermission(Permission.MembersRead).WithName("GetMemberPoints")
            .WithSummary("A member's points ledger, newest first, a page at a time.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode);
        admin.MapPost("/members/{id}/points", AdjustAsync).RequirePermission(Permission.MemberSupport).WithName("AdjustMemberPoints").Audited(MemberSnapshot)
            .WithSummary("Grants (positive) or deducts (negative) points with a reason; the same operationId applies once.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.InsufficientPoints, ApiProblems.Conflict, ApiProblems.LimitExceeded);
        admin.MapPost("/earn", EarnAsync).RequirePermission(Permission.MembersManage).WithName("EarnForPurchase")
            .WithSummary("Awards a member the points of a purchase paid elsewhere, once per purchase reference.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        return routes;
    }

    /// <summary>The member whose points an operator adjusts, for the audit's before → after.</summary>
    private static async Task<object?> MemberSnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<IMemberGrain>(id).GetAsync() : null;

    private static async Task<Ok<MemberListResponse>> SearchAsync(
        IGrainFactory grains,
        [StringLength(MaxQueryLength, ErrorMessage = "At most {1} characters.")] string? q,
        [Page(MemberDirectory.MaxPage)] int? page,
        [PageSize(MemberDirectory.MaxPageSize)] int? pageSize)
    {
        var found = await MemberDirectory.SearchAsync(grains, q, page ?? 1, pageSize ?? 20);

        // Balances and tiers come from the members themselves (a page at a time), so the directory never has to
        // follow points traffic and what the operator sees is exact.
        var views = await Task.WhenAll(found.Items.Select(l => grains.GetGrain<IMemberGrain>(l.Id).GetAsync()));
        var items = found.Items.Zip(views, (l, v) => new MemberListItem(
            l.Id, v?.DisplayName ?? l.DisplayName, v?.Phone ?? l.Phone, v?.Email ?? l.Email, v?.Balance ?? 0, v?.Tier ?? "Regular", l.RegisteredAt)).ToList();
        return TypedResults.Ok(new MemberListResponse(items, found.Page, found.PageSize, found.Total));
    }

    private static async Task<Results<Ok<AdminMemberResponse>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains)
    {
        if (!Identifiers.IsToken(id, MaxOperationIdLength))
        {
            return ApiProblems.NotFound("The member");
        }

        var member = grains.GetGrain<IMemberGrain>(id);
        if (await member.GetAsync() is not { } view)
        {
            return ApiProblems.NotFound("The member");
        }

        var audit = await member.AuditAsync();
        return TypedResults.Ok(new AdminMemberResponse(
            MeResponse.From(view),
            view.Provisioned,
            [.. view.Changes.Select(c => new ProfileChangeItem(c.At, c.Field, c.OldValue, c.NewValue))],
            audit.OpenLots,
            audit.LedgerSum,
            audit.Reconciles));
    }

    private static async Task<Results<Ok<LedgerResponse>, ProblemHttpResult>> GetPointsAsync(
        string id, IGrainFactory grains, [Page] int? page, [PageSize(MeEndpoints.MaxPageSize)] int? pageSize)
    {
        // The id is checked before it names a grain: Orleans refuses a blank key with an exception.
        if (!Identifiers.IsToken(id, MaxOperationIdLength))
        {
            return ApiProblems.NotFound("The member");
        }

        var member = grains.GetGrain<IMemberGrain>(id);
        if (await member.GetAsync() is null)
        {
            return ApiProblems.NotFound("The member");
        }

        return TypedResults.Ok(LedgerResponse.From(await member.GetLedgerAsync(page ?? 1, pageSize ?? MeEndpoints.DefaultPageSize)));
    }

    private static async Task<Results<Ok<AdjustPointsResponse>, ProblemHttpResult>> AdjustAsync(
        string id, AdjustPointsRequest request, IGrainFactory grains, ApiMetrics metrics, ClaimsPrincipal user, IOptions<OperatorOptions> operators)
    {
        if (!Identifiers.IsToken(id, MaxOperationIdLength))
        {
            return ApiProblems.NotFound("The member");
        }

        var limit = operators.Value.AdjustmentLimit;
        if (OperatorPermissions.RoleOf(user) is { } role && OperatorRoles.AdjustmentsAreLimited(role) && Math.Abs(request.Amount!.Value) > limit)
        {
            return ApiProblems.Of(ApiProblems.LimitExceeded, string.Create(CultureInfo.InvariantCulture,
                $"A {OperatorRoles.NameOf(role)} operator adjusts at most {limit} points at a time; a super admin can make larger adjustments."));
        }

        // Namespaced so an operator's id can never collide with an id the member's own operations use.
        var operationId = request.OperationId ?? Guid.NewGuid().ToString("n");
        var result = await grains.GetGrain<IMemberGrain>(id).AdjustAsync(new AdjustPoints("admin:" + operationId, request.Amount!.Value, request.Reason!.Trim()));
        if (!result.Succeeded)
        {
            metrics.Refused("adjust_points", result.Refusal!.Code);
            return result.Refusal.Code == "not_found" ? ApiProblems.NotFound("The member") : ApiProblems.From(result.Refusal);
        }

        return TypedResults.Ok(new AdjustPointsResponse(id, result.Amount, result.Balance, operationId, result.Replayed));
    }

    private static async Task<Results<Ok<BulkMembersResponse>, ProblemHttpResult>> BulkAsync(
        BulkMembersRequest request, IGrainFactory grains, MemberTokens tokens, CancellationToken cancellationToken)
    {
        var prefix = request.DisplayNamePrefix?.Trim() ?? "会员";
        var members = new BulkMember[request.Count!.Value];
        var startingPoints = request.StartingPoints ?? 0;
        var address = request.ShippingAddress?.ToSaveAddress("default");
        var problems = new System.Collections.Concurrent.ConcurrentBag<Contracts.Common.Problem>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, members.Length),
            new ParallelOptions { MaxDegreeOfParallelism = BulkParallelism, CancellationToken = cancellationToken },
            async (i, _) =>
            {
                // The e-mail is derived from the id: unique by construction, and in the reserved .invalid domain so it
                // can never be a real person's address.
                var id = "m-" + Guid.NewGuid().ToString("n")[..20];
                var result = await grains.GetGrain<IMemberGrain>(id)
                    .ProvisionAsync(new ProvisionMember(null, $"{id}@bulk.pointsmall.invalid", $"{prefix}{i + 1}", startingPoints) { Address = address });
                if (result.Succeeded)
                {
                    members[i] = new BulkMember(id, await tokens.IssueAsync(id));
                }
                else
                {
                    problems.Add(result.Refusal!);
                }
            });
        if (!problems.IsEmpty)
        {
            return ApiProblems.From(problems.First());
        }

        return TypedResults.Ok(new BulkMembersResponse(members, "Bearer", (long)tokens.Lifetime.TotalSeconds));
    }

    private static async Task<Results<Ok<EarnResponse>, ProblemHttpResult>> EarnAsync(EarnRequest request, IGrainFactory grains, ApiMetrics metrics)
    {
        var fen = (long)(request.PurchaseAmount!.Value * 100);
        var result = await grains.GetGrain<IMemberGrain>(request.MemberId!)
            .EarnForPurchaseAsync(new EarnForPurchase("purchase:" + request.Reference, fen, request.Reference!));
        if (!result.Succeeded)
        {
            metrics.Refused("earn", result.Refusal!.Code);
            return result.Refusal.Code == "not_found" ? ApiProblems.NotFound("The member") : ApiProblems.From(result.Refusal);
        }

        return TypedResults.Ok(new EarnResponse(request.MemberId!, result.Amount, result.Balance, request.Reference!, result.Replayed));
    }
}
