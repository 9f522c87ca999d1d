using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Lottery;

/// <summary>
/// Lotteries: browse, draw with an Idempotency-Key, the member's draw history, and the
/// operator's set-up. A draw is one call to its draw grain, whose id derives from the member and the key.
/// </summary>
public static class LotteryEndpoints
{
    public const int MaxHistoryPage = 10_000;

    public static IEndpointRouteBuilder MapLotteries(this IEndpointRouteBuilder routes)
    {
        var lotteries = routes.MapGroup("/lotteries").WithTags("Lottery");
        lotteries.MapGet("/", ListAsync).WithName("ListLotteries").WithSummary("The lotteries with their prize tiers and what is left of each.");
        lotteries.MapGet("/{id}", GetAsync).WithName("GetLottery").WithSummary("One lottery with its prize tiers and what is left of each.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        lotteries.MapPost("/{id}/draws", DrawAsync)
            .RequireAuthorization(ApiSetup.MemberPolicy)
            .RequireShopperRateLimit(RateLimits.Draws)
            .WithName("Draw")
            .WithSummary("Draws once for the lottery's cost in points; a retry with the same Idempotency-Key gives the first outcome.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.NotOnSale, ApiProblems.InsufficientPoints,
                ApiProblems.LimitExceeded, ApiProblems.Conflict);

        lotteries.MapGet("/{id}/fairness", FairnessAsync).WithName("GetLotteryFairness")
            .WithSummary("How to check the lottery's draws: the seed's hash from the start, the seed once it has ended, the derivation and every table version.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        lotteries.MapGet("/{id}/draws", PublishedDrawsAsync).WithName("ListPublishedDraws")
            .WithSummary("Every draw of an ended lottery (number, member, value, tier), newest first, for anyone to recompute with the seed.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.Conflict);

        routes.MapGet("/me/draws", HistoryAsync).WithTags("Lottery").RequireAuthorization(ApiSetup.MemberPolicy)
            .WithName("GetMyDraws").WithSummary("The member's draws, newest first, a page at a time.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);

        var admin = routes.MapGroup("/admin/lotteries").WithTags("Admin: lotteries").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/", ListAsync).WithName("AdminListLotteries").WithSummary("The lotteries, as operators manage them.");
        admin.MapPost("/", CreateAsync).RequirePermission(Permission.LotteriesWrite).WithName("CreateLottery")
            .WithSummary("Creates a lottery with its prize table (prize products must exist).")
            .ProducesProblemCodes(ApiProblems.Conflict);
        admin.MapGet("/{id}/draws", AuditTrailAsync).WithName("AdminListDraws")
            .WithSummary("The lottery's draw audit trail, newest first; filter by member and by outcome (won, lost or a tier id).")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode);
        admin.MapPost("/{id}/close", CloseAsync).RequirePermission(Permission.LotteriesWrite).WithName("CloseLottery").Audited(LotterySnapshot)
            .WithSummary("Ends the lottery now and publishes its seed; a closed lottery cannot be reopened.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPut("/{id}", UpdateAsync).RequirePermission(Permission.LotteriesWrite).WithName("UpdateLottery").Audited(LotterySnapshot)
            .WithSummary("Replaces a lottery's name, window and prize table (a new table version; remaining stock carries over per tier id).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        return routes;
    }

    /// <summary>The lottery an admin route changes, for the audit's before → after.</summary>
    private static async Task<object?> LotterySnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;

    private static async Task<Ok<LotteryListDto>> ListAsync(IGrainFactory grains, TimeProvider time)
    {
        var entries = await grains.GetGrain<ILotteryDirectoryGrain>(LotteryKeys.Directory).ListAsync();
        var views = await Task.WhenAll(entries.Select(e => grains.GetGrain<ILotteryGrain>(e.Id).GetAsync()));
        var now = time.GetUtcNow();
        return TypedResults.Ok(new LotteryListDto([.. views.OfType<LotteryView>().Select(v => LotteryDto.From(v, now))]));
    }

    private static async Task<Results<Ok<LotteryDto>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        var view = Identifiers.IsSlug(id) ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;
        return view is null ? ApiProblems.NotFound("The lottery") : TypedResults.Ok(LotteryDto.From(view, time.GetUtcNow()));
    }

    private static async Task<Results<Created<DrawDto>, ProblemHttpResult>> DrawAsync(
        string id,
        [FromHeader(Name = IdempotencyKeys.Header), IdempotencyKey, Description(IdempotencyKeys.Description)] string? idempotencyKey,
        ClaimsPrincipal user,
        IGrainFactory grains,
        ApiMetrics metrics)
    {
        if (!Identifiers.IsSlug(id))
        {
            metrics.Refused("draw", "not_found");
            return ApiProblems.NotFound("The lottery");
        }

        var memberId = user.MemberId();
        var drawId = DrawIds.For(memberId, IdempotencyKeys.KeyOrNew(idempotencyKey));
        var result = await grains.GetGrain<IDrawGrain>(drawId).DrawAsync(id, memberId);
        if (result.Refusal is { } refusal)
        {
            metrics.Refused("draw", refusal.Code);
            return ApiProblems.From(refusal);
        }

        if (!result.Replayed)
        {
            metrics.Drew(result.Won);
        }

        return TypedResults.Created($"/api/v1/me/draws/{drawId}", DrawDto.From(id, result));
    }

    private static async Task<Ok<DrawHistoryDto>> HistoryAsync(ClaimsPrincipal user, IGrainFactory grains, [Page(MaxHistoryPage)] int? page, [PageSize] int? pageSize)
    {
        var history = await grains.GetGrain<IMemberDrawsGrain>(user.MemberId()).ListAsync(page ?? 1, pageSize ?? 20);
        return TypedResults.Ok(new DrawHistoryDto([.. history.Items.Select(DrawDto.From)], history.Page, history.PageSize, history.Total));
    }

    private static async Task<Results<Ok<LotteryFairnessDto>, ProblemHttpResult>> FairnessAsync(string id, IGrainFactory grains)
    {
        var view = Identifiers.IsSlug(id) ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;
        return view is null ? ApiProblems.NotFound("The lottery") : TypedResults.Ok(LotteryFairnessDto.From(view));
    }

    private static async Task<Results<Ok<LotteryDrawPageDto>, ProblemHttpResult>> PublishedDrawsAsync(
        string id, IGrainFactory grains, [Slug] string? member, [Page(MaxHistoryPage)] int? page, [PageSize] int? pageSize)
    {
        var view = Identifiers.IsSlug(id) ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;
        if (view is null)
        {
            return ApiProblems.NotFound("The lottery");
        }

        // Published with the seed: while the lottery runs, who won what stays with the operators and each member.
        if (view.Seed is null)
        {
            return ApiProblems.Of(ApiProblems.Conflict, "lottery_open: the draws are published when the lottery ends.");
        }

        return TypedResults.Ok(await DrawPageAsync(grains, id, member, null, page, pageSize));
    }

    private static async Task<Results<Ok<LotteryDrawPageDto>, ProblemHttpResult>> AuditTrailAsync(
        string id, IGrainFactory grains, [Slug] string? member, [Slug] string? outcome, [Page(MaxHistoryPage)] int? page, [PageSize] int? pageSize)
    {
        var view = Identifiers.IsSlug(id) ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;
        return view is null ? ApiProblems.NotFound("The lottery") : TypedResults.Ok(await DrawPageAsync(grains, id, member, outcome, page, pageSize));
    }

    private static async Task<LotteryDrawPageDto> DrawPageAsync(IGrainFactory grains, string id, string? member, string? outcome, int? page, int? pageSize)
    {
        var found = await grains.GetGrain<ILotteryDrawsGrain>(id).ListAsync(new LotteryDrawQuery(member, outcome, page ?? 1, pageSize ?? 20));
        return new LotteryDrawPageDto([.. found.Items.Select(LotteryDrawDto.From)], found.Page, found.PageSize, found.Total);
    }

    private static async Task<Results<Ok<LotteryDto>, ProblemHttpResult>> CloseAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        var result = Identifiers.IsSlug(id) ? await grains.GetGrain<ILotteryGrain>(id).CloseAsync() : null;
        return result?.Lottery is not { } view ? ApiProblems.NotFound("The lottery") : TypedResults.Ok(LotteryDto.From(view, time.GetUtcNow()));
    }

    private static async Task<Results<Created<LotteryDto>, ProblemHttpResult>> CreateAsync(LotteryRequest request, IGrainFactory grains, TimeProvider time)
    {
        var id = string.IsNullOrWhiteSpace(request.Id) ? "l-" + Guid.NewGuid().ToString("n")[..16] : request.Id.Trim();
        var lottery = grains.GetGrain<ILotteryGrain>(id);
        if (await lottery.GetAsync() is not null)
        {
            return ApiProblems.Of("conflict", $"The lottery {id} already exists; change it with PUT.");
        }

        var (view, problem) = await ConfigureAsync(lottery, request, grains);
        return problem is not null ? problem : TypedResults.Created($"/api/v1/lotteries/{id}", LotteryDto.From(view!, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<LotteryDto>, ProblemHttpResult>> UpdateAsync(string id, LotteryRequest request, IGrainFactory grains, TimeProvider time)
    {
        var lottery = Identifiers.IsSlug(id) ? grains.GetGrain<ILotteryGrain>(id) : null;
        if (lottery is null || await lottery.GetAsync() is null)
        {
            return ApiProblems.NotFound("The lottery");
        }

        var (view, problem) = await ConfigureAsync(lottery, request, grains);
        return problem is not null ? problem : TypedResults.Ok(LotteryDto.From(view!, time.GetUtcNow()));
    }

    /// <summary>Configures the lottery from a validated request, once its prize products are known to exist.</summary>
    private static async Task<(LotteryView? View, ProblemHttpResult? Problem)> ConfigureAsync(ILotteryGrain lottery, LotteryRequest request, IGrainFactory grains)
    {
        // A prize that does not exist could never become an order: refuse it now rather than at the first win.
        var table = request.ToTable();
        var products = table.Tiers.Where(t => t.PrizeProductId is not null).ToArray();
        var found = await Task.WhenAll(products.Select(t => grains.GetGrain<IProductGrain>(t.PrizeProductId!).GetAsync()));
        var missing = products.Where((_, i) => found[i] is null)
            .ToDictionary(t => $"tiers[{t.Rank - 1}].prizeProductId", t => new[] { $"No product {t.PrizeProductId}." });
        if (missing.Count > 0)
        {
            return (null, ApiProblems.Validation(missing));
        }

        var result = await lottery.ConfigureAsync(new ConfigureLottery(request.Name!.Trim(), table, request.StartsAt, request.EndsAt, request.DailyDrawLimit));
        return result.Refusal is { } refusal ? (null, ApiProblems.From(refusal)) : (result.Lottery, null);
    }
}
