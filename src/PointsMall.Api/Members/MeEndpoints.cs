using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Members;

namespace PointsMall.Api.Members;

/// <summary>The signed-in member's own routes under <c>/me</c>: each is one call to the caller's member grain.</summary>
public static class MeEndpoints
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int MaxExpiringDays = 3660;
    public const int MaxReferenceLength = 100;
    public const int MaxQuizAnswers = 20;

    /// <summary>Tasks a member reports; lottery participation is credited by the lottery itself, never self-reported.</summary>
    private static readonly Dictionary<string, string> Tasks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["simplesurvey"] = "simple_survey",
        ["detailedsurvey"] = "detailed_survey",
        ["share"] = "share",
        ["invitemember"] = "invite_member",
        ["quiz"] = "quiz",
    };

    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/me").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Members");
        me.MapGet("", GetMeAsync);
        me.MapGet("/points", GetPointsAsync);
        me.MapGet("/points/expiring", GetExpiringAsync);
        me.MapPost("/sign-in", SignInAsync);
        me.MapGet("/sign-in", GetSignInAsync);
        me.MapPut("/profile", UpdateProfileAsync);
        me.MapGet("/addresses", GetAddressesAsync);
        me.MapPost("/addresses", AddAddressAsync);
        me.MapPut("/addresses/{id}", ReplaceAddressAsync);
        me.MapDelete("/addresses/{id}", RemoveAddressAsync);
        me.MapPost("/tasks", CompleteTaskAsync);
        return routes;
    }

    private static IMemberGrain Member(IGrainFactory grains, ClaimsPrincipal user) => grains.GetGrain<IMemberGrain>(user.MemberId());

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(ClaimsPrincipal user, IGrainFactory grains)
        => await Member(grains, user).GetAsync() is { } view ? TypedResults.Ok(MeResponse.From(view)) : ApiProblems.NotFound("The member");

    private static async Task<Results<Ok<LedgerResponse>, ProblemHttpResult>> GetPointsAsync(
        ClaimsPrincipal user, IGrainFactory grains, int? page, int? pageSize)
    {
        if (MemberValidation.Paging(page, pageSize, MaxPageSize) is { } invalid)
        {
            return invalid;
        }

        var ledger = await Member(grains, user).GetLedgerAsync(page ?? 1, pageSize ?? DefaultPageSize);
        return TypedResults.Ok(LedgerResponse.From(ledger));
    }

    private static async Task<Results<Ok<ExpiringResponse>, ProblemHttpResult>> GetExpiringAsync(ClaimsPrincipal user, IGrainFactory grains, int? days)
    {
        var window = days ?? 30;
        if (window is < 1 or > MaxExpiringDays)
        {
            return MemberValidation.Problem("days", $"Between 1 and {MaxExpiringDays}.");
        }

        var lots = await Member(grains, user).GetExpiringAsync(TimeSpan.FromDays(window));
        var items = lots.Select(l => new ExpiringItem(l.Id, l.Remaining, l.Source, l.EarnedAt, l.ExpiresAt)).ToList();
        return TypedResults.Ok(new ExpiringResponse(items, items.Sum(i => i.Amount), items.Count, window));
    }

    private static async Task<Results<Ok<SignInResponse>, ProblemHttpResult>> SignInAsync(ClaimsPrincipal user, IGrainFactory grains, ApiMetrics metrics)
    {
        var result = await Member(grains, user).SignInAsync();
        if (result.Succeeded)
        {
            return TypedResults.Ok(new SignInResponse(result.Streak, result.Points, result.Bonus, result.Balance));
        }

        metrics.Refused("sign_in", result.Refusal!.Code);

        // A second sign-in the same day earns nothing; the reason says so, and GET /me/sign-in shows the day as done.
        return ApiProblems.Of(result.Refusal.Code, result.Refusal.Detail == "already_signed_in" ? "Already signed in today." : result.Refusal.Detail,
            new Dictionary<string, object?> { ["reason"] = result.Refusal.Detail });
    }

    private static async Task<Results<Ok<SignInCalendarResponse>, ProblemHttpResult>> GetSignInAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await Member(grains, user).GetSignInCalendarAsync() is not { } calendar)
        {
            return ApiProblems.NotFound("The member");
        }

        var ladder = calendar.Ladder
            .Select((points, i) => new SignInLadderStep(i + 1, points, calendar.BonusEveryDays > 0 && (i + 1) % calendar.BonusEveryDays == 0 ? calendar.StreakBonus : 0))
            .ToList();
        return TypedResults.Ok(new SignInCalendarResponse(
            calendar.Streak,
            calendar.SignedInToday,
            calendar.Today,
            [.. calendar.Days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
            ladder,
            calendar.StreakBonus,
            calendar.BonusEveryDays,
            calendar.NextPoints,
            calendar.NextBonus));
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> UpdateProfileAsync(
        UpdateProfileRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.DisplayName is null && request.Gender is null && request.Birthday is null)
        {
            errors["displayName"] = ["Give at least one of displayName, gender, birthday."];
        }

        if (request.DisplayName is { } name && (name.Trim().Length == 0 || name.Trim().Length > MemberProfile.MaxNicknameLength))
        {
            errors["displayName"] = [$"1 to {MemberProfile.MaxNicknameLength} characters."];
        }

        if (request.Gender is { } gender && !MemberProfile.Genders.Contains(gender.Trim().ToLowerInvariant()))
        {
            errors["gender"] = ["One of " + string.Join(", ", MemberProfile.Genders) + "."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await Member(grains, user).UpdateProfileAsync(new UpdateProfile(request.DisplayName, request.Gender, request.Birthday));
        return result.Succeeded ? TypedResults.Ok(MeResponse.From(result.Member!)) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<IReadOnlyList<AddressResponse>>, ProblemHttpResult>> GetAddressesAsync(ClaimsPrincipal user, IGrainFactory grains)
        => await Member(grains, user).GetAsync() is { } view
            ? TypedResults.Ok<IReadOnlyList<AddressResponse>>([.. view.Addresses.Select(AddressResponse.From)])
            : ApiProblems.NotFound("The member");

    private static async Task<Results<Created<AddressResponse>, ProblemHttpResult>> AddAddressAsync(
        AddressRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (MemberValidation.Address(request) is { } invalid)
        {
            return invalid;
        }

        // No id: the grain derives one from the content, so a retried POST saves the same address once.
        var before = await Member(grains, user).GetAsync();
        var result = await Member(grains, user).SaveAddressAsync(MemberValidation.ToSaveAddress(null, request));
        if (!result.Succeeded)
        {
            return ApiProblems.From(result.Refusal!);
        }

        var known = before?.Addresses.Select(a => a.Id).ToHashSet(StringComparer.Ordinal) ?? [];
        var saved = result.Member!.Addresses.FirstOrDefault(a => !known.Contains(a.Id))
            ?? result.Member.Addresses.First(a => Matches(a, request));
        return TypedResults.Created($"/api/v1/me/addresses/{saved.Id}", AddressResponse.From(saved));
    }

    private static async Task<Results<Ok<AddressResponse>, ProblemHttpResult>> ReplaceAddressAsync(
        string id, AddressRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (MemberValidation.Address(request) is { } invalid)
        {
            return invalid;
        }

        var member = Member(grains, user);
        if (await member.GetAsync() is not { } view || !view.Addresses.Any(a => a.Id == id))
        {
            return ApiProblems.NotFound("The address");
        }

        var result = await member.SaveAddressAsync(MemberValidation.ToSaveAddress(id, request));
        return result.Succeeded
            ? TypedResults.Ok(AddressResponse.From(result.Member!.Addresses.First(a => a.Id == id)))
            : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAddressAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var result = await Member(grains, user).RemoveAddressAsync(id);
        return result.Succeeded ? TypedResults.NoContent() : ApiProblems.NotFound("The address");
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> CompleteTaskAsync(
        TaskRequest request, ClaimsPrincipal user, IGrainFactory grains, ApiMetrics metrics)
    {
        var errors = new Dictionary<string, string[]>();
        var compact = request.Task?.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();
        if (compact is null || !Tasks.TryGetValue(compact, out var task))
        {
            errors["task"] = ["One of " + string.Join(", ", Tasks.Values) + "."];
            task = null;
        }

        if (!MemberValidation.IsToken(request.Reference, MaxReferenceLength))
        {
            errors["reference"] = [$"Required: 1 to {MaxReferenceLength} printable characters identifying this completion (the same reference again earns nothing more)."];
        }

        if (task == "quiz" && request.CorrectAnswers is not (>= 0 and <= MaxQuizAnswers))
        {
            errors["correctAnswers"] = [$"A quiz needs correctAnswers between 0 and {MaxQuizAnswers}."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await Member(grains, user).CompleteTaskAsync(
            new CompleteTask($"task:{task}:{request.Reference}", task!, task == "quiz" ? request.CorrectAnswers : null));
        if (!result.Succeeded)
        {
            metrics.Refused("task", result.Refusal!.Code);
            return ApiProblems.From(result.Refusal);
        }

        return TypedResults.Ok(new TaskResponse(task!, request.Reference!, result.Amount, result.Balance, result.Replayed));
    }

    private static bool Matches(AddressView a, AddressRequest r) =>
        a.Recipient == r.Recipient?.Trim() && a.Detail == r.Detail?.Trim();
}
