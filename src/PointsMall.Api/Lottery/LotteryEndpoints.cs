using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Lottery;

namespace PointsMall.Api.Lottery;

/// <summary>
/// Lotteries (seed 001 §3.1.2): browse, draw with an Idempotency-Key, the member's draw history, and the
/// operator's set-up. A draw is one call to its draw grain, whose id derives from the member and the key.
/// </summary>
public static class LotteryEndpoints
{

    public static IEndpointRouteBuilder MapLotteries(this IEndpointRouteBuilder routes)
    {
        var lotteries = routes.MapGroup("/lotteries").WithTags("Lottery");
        lotteries.MapGet("/", ListAsync);
        lotteries.MapGet("/{id}", GetAsync);
        lotteries.MapPost("/{id}/draws", DrawAsync)
            .RequireAuthorization(ApiSetup.MemberPolicy)
            .RequireShopperRateLimit(RateLimits.Draws);

        routes.MapGet("/me/draws", HistoryAsync).WithTags("Lottery").RequireAuthorization(ApiSetup.MemberPolicy);

        var admin = routes.MapGroup("/admin/lotteries").WithTags("Admin: lotteries").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/", ListAsync);
        admin.MapPost("/", CreateAsync);
        admin.MapPut("/{id}", UpdateAsync);
        return routes;
    }

    private static async Task<Ok<LotteryListDto>> ListAsync(IGrainFactory grains, TimeProvider time)
    {
        var entries = await grains.GetGrain<ILotteryDirectoryGrain>(LotteryKeys.Directory).ListAsync();
        var views = await Task.WhenAll(entries.Select(e => grains.GetGrain<ILotteryGrain>(e.Id).GetAsync()));
        var now = time.GetUtcNow();
        return TypedResults.Ok(new LotteryListDto([.. views.OfType<LotteryView>().Select(v => LotteryDto.From(v, now))]));
    }

    private static async Task<Results<Ok<LotteryDto>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        var view = LotteryIds.IsWellFormed(id) ? await grains.GetGrain<ILotteryGrain>(id).GetAsync() : null;
        return view is null ? ApiProblems.NotFound("The lottery") : TypedResults.Ok(LotteryDto.From(view, time.GetUtcNow()));
    }

    private static async Task<Results<Created<DrawDto>, ProblemHttpResult>> DrawAsync(
        string id, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, ApiMetrics metrics)
    {
        if (!IdempotencyKeys.TryRead(http, out var key, out var keyProblem))
        {
            metrics.Refused("draw", "validation_failed");
            return keyProblem!;
        }

        if (!LotteryIds.IsWellFormed(id))
        {
            metrics.Refused("draw", "not_found");
            return ApiProblems.NotFound("The lottery");
        }

        var memberId = user.MemberId();
        var drawId = DrawIds.For(memberId, key);
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

    private static async Task<Results<Ok<DrawHistoryDto>, ProblemHttpResult>> HistoryAsync(
        ClaimsPrincipal user, IGrainFactory grains, int? page, int? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 10_000)
        {
            errors["page"] = ["Page is 1 to 10000."];
        }

        if (pageSize is < 1 or > 100)
        {
            errors["pageSize"] = ["Page size is 1 to 100."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var history = await grains.GetGrain<IMemberDrawsGrain>(user.MemberId()).ListAsync(page ?? 1, pageSize ?? 20);
        return TypedResults.Ok(new DrawHistoryDto([.. history.Items.Select(DrawHistoryItemDto.From)], history.Page, history.PageSize, history.Total));
    }

    private static async Task<Results<Created<LotteryDto>, ProblemHttpResult>> CreateAsync(LotteryRequest request, IGrainFactory grains, TimeProvider time)
    {
        var id = string.IsNullOrWhiteSpace(request.Id) ? "l-" + Guid.NewGuid().ToString("n")[..16] : request.Id.Trim();
        if (!LotteryIds.IsWellFormed(id))
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["id"] = ["A lottery id is 1 to 64 letters, digits, '-' or '_'."] });
        }

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
        var lottery = LotteryIds.IsWellFormed(id) ? grains.GetGrain<ILotteryGrain>(id) : null;
        if (lottery is null || await lottery.GetAsync() is null)
        {
            return ApiProblems.NotFound("The lottery");
        }

        var (view, problem) = await ConfigureAsync(lottery, request, grains);
        return problem is not null ? problem : TypedResults.Ok(LotteryDto.From(view!, time.GetUtcNow()));
    }

    /// <summary>Validates the request (prize products must exist) and configures the lottery.</summary>
    private static async Task<(LotteryView? View, ProblemHttpResult? Problem)> ConfigureAsync(ILotteryGrain lottery, LotteryRequest request, IGrainFactory grains)
    {
        var (errors, table) = LotteryRequestValidation.Validate(request);
        if (table is not null)
        {
            // A prize that does not exist could never become an order: refuse it now rather than at the first win.
            var products = table.Tiers.Where(t => t.PrizeProductId is not null).ToArray();
            var found = await Task.WhenAll(products.Select(t => grains.GetGrain<IProductGrain>(t.PrizeProductId!).GetAsync()));
            for (var i = 0; i < products.Length; i++)
            {
                if (found[i] is null)
                {
                    errors[$"tiers[{products[i].Rank - 1}].prizeProductId"] = [$"No product {products[i].PrizeProductId}."];
                }
            }
        }

        if (errors.Count > 0)
        {
            return (null, ApiProblems.Validation(errors));
        }

        var result = await lottery.ConfigureAsync(new ConfigureLottery(request.Name!.Trim(), table!, request.StartsAt, request.EndsAt));
        return result.Refusal is { } refusal ? (null, ApiProblems.From(refusal)) : (result.Lottery, null);
    }
}
