using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Members;

namespace PointsMall.Api.Members;

/// <summary>The signed-in member's own routes under <c>/me</c>: each is one call to the caller's member grain.</summary>
public static class MeEndpoints
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int MaxExpiringDays = 3660;

    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/me").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Members");
        me.MapGet("", GetMeAsync).WithName("GetMe").WithSummary("The signed-in member: profile, balance, tier and addresses.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapGet("/points", GetPointsAsync).WithName("GetMyPoints").WithSummary("The member's points ledger, newest first, a page at a time.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        me.MapGet("/points/expiring", GetExpiringAsync).WithName("GetMyExpiringPoints").WithSummary("The points that expire within the next days (30 by default).")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        me.MapPost("/sign-in", SignInAsync).WithName("SignInToday").WithSummary("Signs in for today: points by the streak's ladder, once a day.")
            .ProducesProblemCodes(ApiProblems.Conflict, ApiProblems.NotFoundCode);
        me.MapGet("/sign-in", GetSignInAsync).WithName("GetSignInCalendar").WithSummary("The sign-in streak, this month's days and the ladder ahead.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapPost("/password", ChangePasswordAsync).WithName("ChangePassword")
            .WithSummary("Changes the member's password (the current one is required); every session of the member ends, this one too.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.WrongPassword);
        me.MapPut("/profile", UpdateProfileAsync).WithName("UpdateProfile").WithSummary("Changes the display name, gender or birthday (every change is logged).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapGet("/addresses", GetAddressesAsync).WithName("GetMyAddresses").WithSummary("The member's shipping addresses.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapPost("/addresses", AddAddressAsync).WithName("AddAddress").WithSummary("Adds a shipping address (a retried POST saves it once).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapPut("/addresses/{id}", ReplaceAddressAsync).WithName("ReplaceAddress").WithSummary("Replaces one of the member's addresses.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        me.MapDelete("/addresses/{id}", RemoveAddressAsync).WithName("RemoveAddress").WithSummary("Removes one of the member's addresses.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static IMemberGrain Member(IGrainFactory grains, ClaimsPrincipal user) => grains.GetGrain<IMemberGrain>(user.MemberId());

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal user, IGrainFactory grains, SessionRevocations revocations)
    {
        var result = await grains.GetGrain<IMemberGrain>(user.MemberId()).ChangePasswordAsync(new ChangePassword(request.CurrentPassword!, request.NewPassword!));
        revocations.Add(result.Revoked);
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(ClaimsPrincipal user, IGrainFactory grains)
        => await Member(grains, user).GetAsync() is { } view ? TypedResults.Ok(MeResponse.From(view)) : ApiProblems.NotFound("The member");

    private static async Task<Ok<LedgerResponse>> GetPointsAsync(ClaimsPrincipal user, IGrainFactory grains, [Page] int? page, [PageSize(MaxPageSize)] int? pageSize)
    {
        var ledger = await Member(grains, user).GetLedgerAsync(page ?? 1, pageSize ?? DefaultPageSize);
        return TypedResults.Ok(LedgerResponse.From(ledger));
    }

    private static async Task<Ok<ExpiringResponse>> GetExpiringAsync(
        ClaimsPrincipal user, IGrainFactory grains, [Range(1, MaxExpiringDays, ErrorMessage = "Between {1} and {2}.")] int? days)
    {
        var window = days ?? 30;
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
        // No id: the grain derives one from the content, so a retried POST saves the same address once.
        var before = await Member(grains, user).GetAsync();
        var result = await Member(grains, user).SaveAddressAsync(request.ToSaveAddress(null));
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
        var member = Member(grains, user);
        if (await member.GetAsync() is not { } view || !view.Addresses.Any(a => a.Id == id))
        {
            return ApiProblems.NotFound("The address");
        }

        var result = await member.SaveAddressAsync(request.ToSaveAddress(id));
        return result.Succeeded
            ? TypedResults.Ok(AddressResponse.From(result.Member!.Addresses.First(a => a.Id == id)))
            : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAddressAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var result = await Member(grains, user).RemoveAddressAsync(id);
        return result.Succeeded ? TypedResults.NoContent() : ApiProblems.NotFound("The address");
    }

    private static bool Matches(AddressView a, AddressRequest r) =>
        a.Recipient == r.Recipient?.Trim() && a.Detail == r.Detail?.Trim();
}
