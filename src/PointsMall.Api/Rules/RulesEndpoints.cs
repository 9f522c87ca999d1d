using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Operators;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Rules;

/// <summary>
/// Programme rules: a public summary for shoppers, and the operator's editor for the
/// earn ratio, sign-in ladder, tiers, expiry and tasks, plus double-points campaigns.
/// </summary>
public static class RulesEndpoints
{
    public static IEndpointRouteBuilder MapRules(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/rules", PublicAsync).WithTags("Rules").WithName("GetRules")
            .WithSummary("The programme as shoppers need it: earn ratio, sign-in ladder, tiers, expiry, tasks and active campaigns.");

        var admin = routes.MapGroup("/admin").WithTags("Admin: rules and campaigns").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/rules", AdminGetAsync).WithName("AdminGetRules").WithSummary("The programme rules as operators edit them, with their version.");
        admin.MapPut("/rules", UpdateAsync).RequirePermission(Permission.RulesWrite).WithName("UpdateRules").Audited(RulesSnapshot)
            .WithSummary("Edits the programme rules: the sections given replace the current ones; a stale version is a conflict.")
            .ProducesProblemCodes(ApiProblems.Conflict);
        admin.MapPost("/rules/preview", PreviewAsync).ChangesNothing().WithName("PreviewRules")
            .WithSummary("What the rules pay, before they are saved: a purchase by a member of a tier, and each sign-in streak day, under the draft given (else the current rules) and a draft campaign; changes nothing.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapGet("/campaigns", CampaignsAsync).WithName("ListCampaigns").WithSummary("The double-points campaigns, past, current and upcoming.");
        admin.MapPost("/campaigns", SaveCampaignAsync).RequirePermission(Permission.CampaignsWrite).WithName("SaveCampaign").Audited(RulesSnapshot)
            .WithSummary("Creates or replaces (by id) a double-points campaign.")
            .ProducesProblemCodes(ApiProblems.Conflict, ApiProblems.LimitExceeded);
        admin.MapDelete("/campaigns/{id}", RemoveCampaignAsync).RequirePermission(Permission.CampaignsWrite).WithName("RemoveCampaign").Audited(RulesSnapshot)
            .WithSummary("Removes a campaign.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    /// <summary>The programme (rules and campaigns) an admin route changes, for the audit's before → after.</summary>
    private static async Task<object?> RulesSnapshot(HttpContext context, IGrainFactory grains) => await Program(grains).GetAsync();

    private static IProgramGrain Program(IGrainFactory grains) => grains.GetGrain<IProgramGrain>(Programs.Default);

    private static async Task<Ok<PublicRulesDto>> PublicAsync(IGrainFactory grains, TimeProvider time)
    {
        var rules = await Program(grains).GetAsync();
        var now = time.GetUtcNow();
        var admin = AdminRulesDto.From(rules, now);
        var purchase = rules.Earn.Purchase;
        return TypedResults.Ok(new PublicRulesDto(
            rules.Version,
            rules.TimeZoneId,
            admin.Purchase!,
            purchase.FenPerStep > 0 ? decimal.Round(100m * purchase.PointsPerStep / purchase.FenPerStep, 4) : 0,
            admin.SignIn!,
            admin.Tiers!,
            rules.Tiers.Basis,
            admin.Expiry!,
            admin.Tasks!,
            [.. admin.Campaigns!.Where(c => c.Active)],
            rules.Earn.CampaignMultiplierAt(now),
            rules.Earn.BirthdayPoints));
    }

    private static async Task<Ok<AdminRulesDto>> AdminGetAsync(IGrainFactory grains, TimeProvider time)
        => TypedResults.Ok(AdminRulesDto.From(await Program(grains).GetAsync(), time.GetUtcNow()));

    private static async Task<Results<Ok<AdminRulesDto>, ProblemHttpResult>> UpdateAsync(AdminRulesDto request, IGrainFactory grains, TimeProvider time)
    {
        var program = Program(grains);
        var next = request.ApplyTo(await program.GetAsync());
        var result = await program.UpdateAsync(next);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.Ok(AdminRulesDto.From(result.Rules!, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<RulesPreviewDto>, ProblemHttpResult>> PreviewAsync(RulesPreviewRequest request, IGrainFactory grains, TimeProvider time)
    {
        var current = await Program(grains).GetAsync();
        var rules = request.Draft?.ApplyTo(current) ?? current;
        if (request.Campaign is { } draft)
        {
            // The campaign being edited counts as saved (in place of its saved self, when it has an id).
            var campaign = draft.ToCampaign(draft.Id ?? "draft");
            var others = AdminRulesDto.CampaignsOf(rules.Earn).Where(c => c.Id != campaign.Id);
            rules = rules with { Earn = rules.Earn with { Campaigns = [.. others, campaign] } };
        }

        if (rules.Validate() is { Count: > 0 } errors)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["draft"] = [.. errors] });
        }

        var at = request.At ?? request.Campaign?.StartsAt ?? time.GetUtcNow();
        return TypedResults.Ok(RulesPreviewDto.Of(rules, request.PurchaseAmount!.Value, TierNames.TryParse(request.Tier, out var tier) ? tier : Tier.Regular, at));
    }

    private static async Task<Ok<CampaignListDto>> CampaignsAsync(IGrainFactory grains, TimeProvider time)
    {
        var rules = await Program(grains).GetAsync();
        var now = time.GetUtcNow();
        return TypedResults.Ok(new CampaignListDto([.. AdminRulesDto.CampaignsOf(rules.Earn).Select(c => CampaignDto.From(c, now))]));
    }

    private static async Task<Results<Created<CampaignDto>, ProblemHttpResult>> SaveCampaignAsync(CampaignRequest request, IGrainFactory grains, TimeProvider time)
    {
        var id = string.IsNullOrWhiteSpace(request.Id) ? "c-" + Guid.NewGuid().ToString("n")[..12] : request.Id.Trim();
        var campaign = request.ToCampaign(id);
        var result = await Program(grains).SaveCampaignAsync(campaign);
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Created($"/api/v1/admin/campaigns/{id}", CampaignDto.From(campaign, time.GetUtcNow()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveCampaignAsync(string id, IGrainFactory grains)
    {
        if (!Identifiers.IsSlug(id))
        {
            return ApiProblems.NotFound("The campaign");
        }

        var result = await Program(grains).RemoveCampaignAsync(id);
        return result.Refusal is { Code: "not_found" } ? ApiProblems.NotFound("The campaign")
            : result.Refusal is { } refusal ? ApiProblems.From(refusal)
            : TypedResults.NoContent();
    }
}
