using System.Collections.Immutable;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PointsMall.Api.Auth;
using PointsMall.Api.Catalog;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Tasks;
using PointsMall.Domain.Tasks;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Tasks;

/// <summary>A question; <c>answer</c> is the index of the correct option (quizzes only).</summary>
public sealed record QuestionRequest(
    [property: Required, Text(300)] string? Text,
    [property: Required, MinLength(2, ErrorMessage = "At least {1} options."), MaxLength(Survey.MaxOptions, ErrorMessage = "At most {1} options.")] IReadOnlyList<string>? Options,
    int? Answer);

/// <summary>
/// A survey (every complete answer earns <c>points</c>) or a quiz (each correct answer earns <c>points</c>; when it has
/// ended, <c>rankingBonus[i]</c> goes to the (i+1)-th best score), open from <c>startsAt</c> to <c>endsAt</c>.
/// </summary>
public sealed record SurveyRequest(
    [property: Required, OneOf("survey", "quiz")] string? Kind,
    [property: Required, Text(100)] string? Title,
    [property: Required, MinLength(1, ErrorMessage = "At least one question."), MaxLength(Survey.MaxQuestions, ErrorMessage = "At most {1} questions.")] IReadOnlyList<QuestionRequest>? Questions,
    [property: Range(0, Survey.MaxPoints)] long? Points,
    [property: MaxLength(Survey.MaxRanks, ErrorMessage = "At most {1} ranks.")] IReadOnlyList<long>? RankingBonus,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt);

public sealed record QuestionDto(string Text, IReadOnlyList<string> Options, int? Answer);

/// <summary>A survey as members see it (no correct options) or, for operators, with them.</summary>
public sealed record SurveyDto(
    string Id, string Kind, string Title, IReadOnlyList<QuestionDto> Questions, long Points, IReadOnlyList<long> RankingBonus,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, bool Open, int Answers)
{
    public static SurveyDto From(SurveyView v, DateTimeOffset now, bool withAnswers)
        => new(v.Id, v.Survey.Kind.ToString().ToLowerInvariant(), v.Survey.Title,
            [.. v.Survey.Questions.Select(q => new QuestionDto(q.Text, q.Options, withAnswers ? q.Answer : null))], v.Survey.Points,
            v.Survey.RankingBonus.IsDefault ? [] : v.Survey.RankingBonus, v.Survey.StartsAt, v.Survey.EndsAt, v.Survey.IsOpen(now), v.Answers);
}

public sealed record AnswerRequest([property: Required, MaxLength(Survey.MaxQuestions, ErrorMessage = "At most {1} answers.")] IReadOnlyList<int>? Answers);

public sealed record SurveyAnswerDto(string SurveyId, string Title, int Correct, int Total, long Points, DateTimeOffset At, long? Balance = null, bool Replayed = false)
{
    public static SurveyAnswerDto From(SurveyAnswered a, long? balance = null, bool replayed = false)
        => new(a.SurveyId, a.Title, a.Correct, a.Total, a.Points, a.At, balance, replayed);
}

public sealed record RankDto(int Rank, string MemberId, int Correct, DateTimeOffset AnsweredAt, long Bonus, bool Replayed = false);

public sealed record RankingDto(IReadOnlyList<RankDto> Items);

/// <summary>The partner's signed report of a member's share; <c>signature</c> is the hex HMAC-SHA256 of its canonical string.</summary>
public sealed record ShareCallbackRequest(
    [property: Required, Token] string? MemberId,
    [property: Required, Token] string? ShareId,
    [property: Required, Text(32)] string? Channel,
    [property: Required] DateTimeOffset? SharedAt,
    [property: Required, Text(128)] string? Signature);

public sealed record ShareCallbackResponse(long PointsAwarded, bool Replayed);

/// <summary>
/// Earning the server can verify: surveys and quizzes that operators write and the server scores, paid once per member;
/// the sharing partner's signed callbacks. No route takes a member's word for what it did.
/// </summary>
public static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTasks(this IEndpointRouteBuilder routes)
    {
        var shop = routes.MapGroup("/surveys").WithTags("Tasks");
        shop.MapGet("", ListAsync).WithName("ListSurveys").WithSummary("Surveys and quizzes that have not ended, newest first, without their correct options.");
        shop.MapGet("/{id}", GetAsync).WithName("GetSurvey").WithSummary("One survey or quiz, without its correct options.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);

        var me = routes.MapGroup("/me/surveys").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Tasks");
        me.MapGet("", AnsweredAsync).WithName("GetMySurveys").WithSummary("The surveys and quizzes the member answered and what each earned, newest first.");
        me.MapPost("/{id}/answers", AnswerAsync).WithName("AnswerSurvey")
            .RequireShopperRateLimit(RateLimits.Redemptions)
            .WithSummary("Answers a survey or quiz (one option index per question): the server scores it and pays once; answering again replays the first outcome.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.NotOnSale);

        routes.MapPost("/partners/shares", ShareAsync).WithTags("Tasks").AllowAnonymous().WithName("ShareCallback")
            .WithSummary("The sharing partner's signed report of a member's share: the share bonus, once per share id, within the daily cap.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.Unauthorized, ApiProblems.NotFoundCode, ApiProblems.LimitExceeded);

        var admin = routes.MapGroup("/admin/surveys").WithTags("Admin: tasks").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("", AdminListAsync).WithName("AdminListSurveys").WithSummary("Every survey and quiz with its correct options and answer count, newest first.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapPut("/{id}", ConfigureAsync).RequirePermission(Permission.CampaignsWrite).WithName("ConfigureSurvey").Audited(SurveySnapshot)
            .WithSummary("Creates a survey or quiz or changes one (its questions are fixed once members have answered).")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.Conflict);
        admin.MapGet("/{id}/ranking", RankingAsync).WithName("GetQuizRanking").WithSummary("A quiz's best scores, best first (ties: who answered first).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/{id}/award", AwardAsync).RequirePermission(Permission.CampaignsWrite).WithName("AwardQuizRanking").Audited(SurveySnapshot)
            .WithSummary("Pays an ended quiz's ranking bonus to its best scores; paying again pays nobody twice.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        return routes;
    }

    private static async Task<object?> SurveySnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<ISurveyGrain>(id).GetAsync() : null;

    private static ISurveyCatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<ISurveyCatalogGrain>(ISurveyCatalogGrain.Key);

    private static async Task<Ok<ItemsDto<SurveyDto>>> ListAsync(IGrainFactory grains, TimeProvider time)
    {
        // Members see the newest surveys that have not ended: few at a time, so one page of the index holds them.
        var now = time.GetUtcNow();
        var found = await Catalog(grains).ListAsync(1, ISurveyCatalogGrain.MaxPageSize);
        List<SurveyDto> open = [.. found.Items.Where(s => !s.Survey.HasEnded(now)).Select(s => SurveyDto.From(s, now, withAnswers: false))];
        return TypedResults.Ok(new ItemsDto<SurveyDto>(open, open.Count));
    }

    private static async Task<Results<Ok<SurveyDto>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains, TimeProvider time)
        => Identifiers.IsSlug(id) && await grains.GetGrain<ISurveyGrain>(id).GetAsync() is { } survey
            ? TypedResults.Ok(SurveyDto.From(survey, time.GetUtcNow(), withAnswers: false))
            : ApiProblems.NotFound("The survey");

    private static async Task<Ok<ItemsDto<SurveyAnswerDto>>> AnsweredAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var answered = await grains.GetGrain<ISurveyAnswersGrain>(user.MemberId()).GetAnsweredSurveysAsync();
        return TypedResults.Ok(new ItemsDto<SurveyAnswerDto>([.. answered.Select(a => SurveyAnswerDto.From(a))], answered.Count));
    }

    private static async Task<Results<Ok<SurveyAnswerDto>, ProblemHttpResult>> AnswerAsync(string id, AnswerRequest request, ClaimsPrincipal user, IGrainFactory grains, ApiMetrics metrics)
    {
        if (!Identifiers.IsSlug(id))
        {
            return ApiProblems.NotFound("The survey");
        }

        var result = await grains.GetGrain<ISurveyAnswersGrain>(user.MemberId()).AnswerSurveyAsync(new AnswerSurvey(id, request.Answers!));
        if (result.Refusal is { } refusal)
        {
            metrics.Refused("survey", refusal.Code);
            return ApiProblems.From(refusal);
        }

        return TypedResults.Ok(SurveyAnswerDto.From(result.Answered!, result.Balance, result.Replayed));
    }

    private static async Task<Results<Ok<ShareCallbackResponse>, ProblemHttpResult>> ShareAsync(
        ShareCallbackRequest request, IOptions<PartnerOptions> partners, IGrainFactory grains, ApiMetrics metrics)
    {
        var callback = new ShareCallback(request.MemberId!, request.ShareId!, request.Channel!.Trim(), request.SharedAt!.Value);
        if (!callback.Verifies(partners.Value.ShareSecret, request.Signature))
        {
            metrics.Refused("share", ApiProblems.Unauthorized);
            return ApiProblems.Of(ApiProblems.Unauthorized, "The share callback's signature does not verify.");
        }

        var result = await grains.GetGrain<IMemberGrain>(callback.MemberId).CompleteTaskAsync(new CompleteTask($"share:{callback.ShareId}", "share", null));
        if (result.Refusal is { } refusal)
        {
            metrics.Refused("share", refusal.Code);
            return ApiProblems.From(refusal);
        }

        return TypedResults.Ok(new ShareCallbackResponse(result.Amount, result.Replayed));
    }

    private static async Task<Ok<PageDto<SurveyDto>>> AdminListAsync(IGrainFactory grains, TimeProvider time, [Page(1_000)] int? page, [PageSize(ISurveyCatalogGrain.MaxPageSize)] int? pageSize)
    {
        var now = time.GetUtcNow();
        var found = await Catalog(grains).ListAsync(page ?? 1, pageSize ?? 20);
        return TypedResults.Ok(new PageDto<SurveyDto>([.. found.Items.Select(s => SurveyDto.From(s, now, withAnswers: true))], found.Page, found.PageSize, found.Total));
    }

    private static async Task<Results<Ok<SurveyDto>, ProblemHttpResult>> ConfigureAsync(string id, SurveyRequest request, IGrainFactory grains, TimeProvider time)
    {
        if (!Identifiers.IsSlug(id))
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["id"] = [$"1 to {Identifiers.MaxIdLength} letters, digits, '-' or '_'."] });
        }

        var survey = new Survey(
            request.Kind == "quiz" ? SurveyKind.Quiz : SurveyKind.Survey,
            request.Title!.Trim(),
            [.. request.Questions!.Select(q => new SurveyQuestion(q.Text?.Trim() ?? "", q.Options is null ? default : [.. q.Options.Select(o => o?.Trim() ?? "")], q.Answer))],
            request.Points ?? 0,
            request.RankingBonus is null ? [] : [.. request.RankingBonus],
            request.StartsAt,
            request.EndsAt);
        var result = await grains.GetGrain<ISurveyGrain>(id).ConfigureAsync(survey);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.Ok(SurveyDto.From(result.Survey!, time.GetUtcNow(), withAnswers: true));
    }

    private static async Task<Results<Ok<RankingDto>, ProblemHttpResult>> RankingAsync(string id, IGrainFactory grains)
    {
        if (!Identifiers.IsSlug(id) || await grains.GetGrain<ISurveyGrain>(id).GetAsync() is not { } survey)
        {
            return ApiProblems.NotFound("The survey");
        }

        var ranking = await Catalog(grains).RankingAsync(id, 100);
        var bonus = survey.Survey.RankingBonus.IsDefault ? ImmutableArray<long>.Empty : survey.Survey.RankingBonus;
        return TypedResults.Ok(new RankingDto([.. ranking.Select((r, i) => new RankDto(i + 1, r.MemberId, r.Correct, r.AnsweredAt, i < bonus.Length ? bonus[i] : 0))]));
    }

    private static async Task<Results<Ok<RankingDto>, ProblemHttpResult>> AwardAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        if (!Identifiers.IsSlug(id) || await grains.GetGrain<ISurveyGrain>(id).GetAsync() is not { } view)
        {
            return ApiProblems.NotFound("The survey");
        }

        var survey = view.Survey;
        if (survey.Kind != SurveyKind.Quiz || survey.RankingBonus.IsDefaultOrEmpty)
        {
            return ApiProblems.Of(ApiProblems.Conflict, "no_ranking_bonus");
        }

        // Scores are final only once no one can answer any more; then the same ranking is paid however often this runs.
        if (!survey.HasEnded(time.GetUtcNow()))
        {
            return ApiProblems.Of(ApiProblems.Conflict, "quiz_open");
        }

        var ranking = await Catalog(grains).RankingAsync(id, survey.RankingBonus.Length);
        var paid = new List<RankDto>();
        foreach (var (rank, i) in ranking.Select((r, i) => (r, i)))
        {
            var earned = await grains.GetGrain<IMemberGrain>(rank.MemberId)
                .EarnAsync(new EarnPoints($"quiz:{id}:rank", survey.RankingBonus[i], "task", $"{survey.Title} 第 {i + 1} 名 rank {i + 1}"));
            if (earned.Refusal is { } refusal)
            {
                return ApiProblems.From(refusal);
            }

            paid.Add(new RankDto(i + 1, rank.MemberId, rank.Correct, rank.AnsweredAt, survey.RankingBonus[i], earned.Replayed));
        }

        return TypedResults.Ok(new RankingDto(paid));
    }
}
