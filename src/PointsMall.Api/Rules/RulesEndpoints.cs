using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Rules;

/// <summary>
/// Programme rules (seed 000 §2, seed 001 §3.1.1): a public summary for shoppers, and the operator's editor for the
/// earn ratio, sign-in ladder, tiers, expiry and tasks, plus double-points campaigns.
/// </summary>
public static class RulesEndpoints
{
    public static IEndpointRouteBuilder MapRules(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/rules", PublicAsync).WithTags("Rules");

        var admin = routes.MapGroup("/admin").WithTags("Admin: rules and campaigns").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/rules", AdminGetAsync);
        admin.MapPut("/rules", UpdateAsync);
        admin.MapGet("/campaigns", CampaignsAsync);
        admin.MapPost("/campaigns", SaveCampaignAsync);
        admin.MapDelete("/campaigns/{id}", RemoveCampaignAsync);
        return routes;
    }

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
            rules.Earn.CampaignMultiplierAt(now)));
    }

    private static async Task<Ok<AdminRulesDto>> AdminGetAsync(IGrainFactory grains, TimeProvider time)
        => TypedResults.Ok(AdminRulesDto.From(await Program(grains).GetAsync(), time.GetUtcNow()));

    private static async Task<Results<Ok<AdminRulesDto>, ProblemHttpResult>> UpdateAsync(AdminRulesDto request, IGrainFactory grains, TimeProvider time)
    {
        var program = Program(grains);
        var current = await program.GetAsync();
        var (errors, next) = RulesValidation.Merge(current, request);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await program.UpdateAsync(next!);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.Ok(AdminRulesDto.From(result.Rules!, time.GetUtcNow()));
    }

    private static async Task<Ok<CampaignListDto>> CampaignsAsync(IGrainFactory grains, TimeProvider time)
    {
        var rules = await Program(grains).GetAsync();
        var now = time.GetUtcNow();
        return TypedResults.Ok(new CampaignListDto([.. AdminRulesDto.CampaignsOf(rules.Earn).Select(c => CampaignDto.From(c, now))]));
    }

    private static async Task<Results<Created<CampaignDto>, ProblemHttpResult>> SaveCampaignAsync(CampaignRequest request, IGrainFactory grains, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        var id = string.IsNullOrWhiteSpace(request.Id) ? "c-" + Guid.NewGuid().ToString("n")[..12] : request.Id.Trim();
        if (!RulesValidation.IsWellFormedId(id))
        {
            errors["id"] = ["A campaign id is 1 to 64 letters, digits, '-' or '_'."];
        }

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["Name is 1 to 100 characters."];
        }

        if (request.Multiplier is not { } multiplier || multiplier <= 0 || multiplier > RulesValidation.MaxMultiplier)
        {
            errors["multiplier"] = [$"Multiplier is above 0 and at most {RulesValidation.MaxMultiplier}."];
        }

        if (request.StartsAt is null)
        {
            errors["startsAt"] = ["Start is required."];
        }

        if (request.EndsAt is null || (request.StartsAt is { } s && request.EndsAt <= s))
        {
            errors["endsAt"] = ["End is required and after the start."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var campaign = new Campaign(id, request.Name!.Trim(), request.Multiplier!.Value, request.StartsAt!.Value, request.EndsAt!.Value);
        var result = await Program(grains).SaveCampaignAsync(campaign);
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Created($"/api/v1/admin/campaigns/{id}", CampaignDto.From(campaign, time.GetUtcNow()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveCampaignAsync(string id, IGrainFactory grains)
    {
        if (!RulesValidation.IsWellFormedId(id))
        {
            return ApiProblems.NotFound("The campaign");
        }

        var result = await Program(grains).RemoveCampaignAsync(id);
        return result.Refusal is { Code: "not_found" } ? ApiProblems.NotFound("The campaign")
            : result.Refusal is { } refusal ? ApiProblems.From(refusal)
            : TypedResults.NoContent();
    }
}

/// <summary>Field-level checks of an operator's rules edit, before the programme grain's own validation.</summary>
internal static class RulesValidation
{
    public const decimal MaxMultiplier = 10m;
    public const int MaxLadderDays = 31;

    public static bool IsWellFormedId(string? id)
        => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The current rules with the request's sections applied, or the field errors.</summary>
    public static (Dictionary<string, string[]> Errors, ProgramRules? Rules) Merge(ProgramRules current, AdminRulesDto request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Version is { } version && version < 1)
        {
            errors["version"] = ["Version is the current rules' version."];
        }

        var zone = current.TimeZoneId;
        if (request.TimeZone is { } tz)
        {
            if (tz.Length is 0 or > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
            {
                errors["timeZone"] = ["Not a known time zone (e.g. Asia/Shanghai)."];
            }

            zone = tz;
        }

        var purchase = current.Earn.Purchase;
        if (request.Purchase is { } p)
        {
            if (p.FenPerStep is < 1 or > 100_000_000)
            {
                errors["purchase.fenPerStep"] = ["Fen per step is 1 to 100000000."];
            }

            if (p.PointsPerStep is < 0 or > 1_000_000)
            {
                errors["purchase.pointsPerStep"] = ["Points per step are 0 to 1000000."];
            }

            purchase = new PurchaseEarnRule(p.FenPerStep ?? purchase.FenPerStep, p.PointsPerStep ?? purchase.PointsPerStep);
        }

        var signIn = current.Earn.SignIn;
        if (request.SignIn is { } s)
        {
            if (s.Ladder is { } ladder && (ladder.Count is 0 or > MaxLadderDays || ladder.Any(d => d is < 0 or > 100_000)))
            {
                errors["signIn.ladder"] = [$"The ladder has 1 to {MaxLadderDays} days of 0 to 100000 points."];
            }

            if (s.StreakBonus is < 0 or > 1_000_000)
            {
                errors["signIn.streakBonus"] = ["The streak bonus is 0 to 1000000."];
            }

            if (s.BonusEveryDays is < 0 or > 366)
            {
                errors["signIn.bonusEveryDays"] = ["Bonus every 0 (never) to 366 days."];
            }

            signIn = new SignInLadder(s.Ladder is { } l ? [.. l] : signIn.DailyPoints, s.StreakBonus ?? signIn.StreakBonus, s.BonusEveryDays ?? signIn.BonusEveryDays);
        }

        var tiers = current.Tiers;
        if (request.Tiers is { } levels)
        {
            var built = ValidateTiers(levels, errors);
            tiers = tiers with { Levels = built };
        }

        if (request.TierBasis is { } basis)
        {
            tiers = tiers with { Basis = basis };
        }

        if (request.TierWindowDays is { } window)
        {
            if (window is < 1 or > 3650)
            {
                errors["tierWindowDays"] = ["The window is 1 to 3650 days."];
            }

            tiers = tiers with { WindowDays = window };
        }

        var expiry = current.Expiry;
        if (request.Expiry is { } e)
        {
            if (e.Kind is null)
            {
                errors["expiry.kind"] = ["Kind is required."];
            }

            if (e.Periods is < 0 or > 120 || (e.Kind is ExpiryKind.RollingDays or ExpiryKind.RollingMonths && e.Periods is null or 0))
            {
                errors["expiry.periods"] = ["Periods are 0 to 120 (at least 1 for a rolling policy)."];
            }

            expiry = new ExpiryPolicy(e.Kind ?? expiry.Kind, e.Periods ?? 0);
        }

        var tasks = AdminRulesDto.TasksOf(current.Earn);
        if (request.Tasks is { } taskRules)
        {
            tasks = ValidateTasks(taskRules, errors);
        }

        if (errors.Count > 0)
        {
            return (errors, null);
        }

        var earn = current.Earn with { Purchase = purchase, SignIn = signIn, Tasks = tasks };
        var rules = current with { Version = request.Version ?? current.Version, TimeZoneId = zone, Earn = earn, Tiers = tiers, Expiry = expiry };

        // The domain's own checks (thresholds increasing, etc.) as field-less errors, so nothing invalid reaches the grain.
        if (rules.Validate() is { Count: > 0 } domainErrors)
        {
            errors["rules"] = [.. domainErrors];
            return (errors, null);
        }

        return (errors, rules);
    }

    private static ImmutableArray<TierLevel> ValidateTiers(IReadOnlyList<TierRuleDto> levels, Dictionary<string, string[]> errors)
    {
        if (levels.Count is 0 or > 10)
        {
            errors["tiers"] = ["1 to 10 tiers, lowest first."];
            return [];
        }

        var built = ImmutableArray.CreateBuilder<TierLevel>();
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            var field = $"tiers[{i}]";
            if (level?.Tier is not { } tier)
            {
                errors[field + ".tier"] = ["Tier is Regular, Silver, Gold or Diamond."];
                continue;
            }

            if (level.MinPoints is not { } min || min < 0 || min > 1_000_000_000)
            {
                errors[field + ".minPoints"] = ["Minimum points are 0 to 1000000000."];
            }
            else if (i == 0 && min != 0)
            {
                errors[field + ".minPoints"] = ["The lowest tier starts at 0 points."];
            }
            else if (i > 0 && built.Count == i && min <= built[i - 1].MinPoints)
            {
                errors[field + ".minPoints"] = ["Thresholds increase strictly from tier to tier."];
            }

            if (i > 0 && built.Count == i && tier <= built[i - 1].Tier)
            {
                errors[field + ".tier"] = ["Tiers are listed lowest first, each once."];
            }

            if (level.Multiplier is not { } m || m <= 0 || m > MaxMultiplier)
            {
                errors[field + ".multiplier"] = [$"Multiplier is above 0 and at most {MaxMultiplier}."];
            }

            built.Add(new TierLevel(tier, level.MinPoints ?? 0, level.Multiplier ?? 1));
        }

        return built.ToImmutable();
    }

    private static ImmutableArray<TaskRule> ValidateTasks(IReadOnlyList<TaskRuleDto> tasks, Dictionary<string, string[]> errors)
    {
        if (tasks.Count > 20)
        {
            errors["tasks"] = ["At most 20 task rules."];
            return [];
        }

        var built = ImmutableArray.CreateBuilder<TaskRule>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var field = $"tasks[{i}]";
            if (task?.Kind is not { } kind)
            {
                errors[field + ".kind"] = ["Kind is required."];
                continue;
            }

            if (built.Any(t => t.Kind == kind))
            {
                errors[field + ".kind"] = ["One rule per task kind."];
            }

            if (task.Points is < 0 or > 1_000_000 || task.PointsPerCorrectAnswer is < 0 or > 10_000 || task.DailyCap is < 0 or > 1000)
            {
                errors[field] = ["Points 0 to 1000000, per correct answer 0 to 10000, daily cap 0 (none) to 1000."];
            }

            built.Add(new TaskRule(kind, task.Points ?? 0, task.PointsPerCorrectAnswer ?? 0, task.DailyCap ?? 0));
        }

        return built.ToImmutable();
    }
}
