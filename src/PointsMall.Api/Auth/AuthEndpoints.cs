using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Analytics;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Operators;
using PointsMall.Domain.Members;
using PointsMall.Domain.Operators;
namespace PointsMall.Api.Auth;

/// <summary>
/// A phone number or an e-mail address (or both) identifies the member. <c>referredBy</c> is the inviting member's
/// id (from its invitation link): the inviter earns the invitation task once the registration is made.
/// </summary>
public sealed record RegisterRequest(
    [property: ChinaMobile] string? Phone,
    [property: ContactEmail] string? Email,
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? Password,
    [property: Required, Text(MemberProfile.MaxNicknameLength)] string? DisplayName,
    [property: Token] string? ReferredBy = null) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Phone) && string.IsNullOrWhiteSpace(Email))
        {
            yield return new ValidationResult("Give a phone number or an e-mail address.", [nameof(Phone)]);
        }
    }
}

public sealed record RegisterResponse(string MemberId);

/// <summary>A login with its password, or (members only) with a one-time code from <c>POST /auth/login-code</c> instead.</summary>
public sealed record LoginRequest(string? Login, string? Password, string? Code = null);

/// <summary>A member's or an operator's own password change: the current password, and the new one.</summary>
public sealed record ChangePasswordRequest(
    [property: Required, StringLength(PasswordHash.MaxLength, ErrorMessage = "At most {1} characters.")] string? CurrentPassword,
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? NewPassword);

public static class AuthEndpoints
{
    /// <summary>The operator login of the admin console.</summary>
    public const string AdminLogin = "admin";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/register", RegisterAsync).WithName("Register").WithSummary("Registers a member by phone number or e-mail address.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.Conflict);
        auth.MapPost("/login", LoginAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("Login")
            .WithSummary("Signs a member (phone or e-mail, with the password or a one-time `code`) or an operator in: a short-lived access token (JWT) and a refresh token.")
            .Produces<AccessTokenResponse>().ProducesProblemCodes(ApiProblems.Unauthorized, ApiProblems.Locked, ApiProblems.RateLimited);
        return routes;
    }

    /// <summary>A principal for a member or the operator in one session, with the claims an access token carries (the dashboard cookie's).</summary>
    public static ClaimsPrincipal Principal(string id, string role, string sessionId, string authenticationType)
        => new(new ClaimsIdentity(
            [new Claim(AuthClaims.Subject, id), new Claim(AuthClaims.Role, role), new Claim(AuthClaims.SessionId, sessionId)],
            authenticationType, AuthClaims.Subject, AuthClaims.Role));

    /// <summary>The member id of the caller (the policies guarantee there is one on member routes).</summary>
    public static string MemberId(this ClaimsPrincipal user)
        => AuthClaims.SubjectOf(user) ?? throw new InvalidOperationException("The caller has no subject claim.");

    private static async Task<Results<Created<RegisterResponse>, ProblemHttpResult>> RegisterAsync(RegisterRequest request, IGrainFactory grains)
    {
        var memberId = "m-" + Guid.NewGuid().ToString("n")[..20];
        var result = await grains.GetGrain<IMemberGrain>(memberId)
            .RegisterAsync(new RegisterMember(request.Phone, request.Email, request.Password ?? "", request.DisplayName ?? "", request.ReferredBy));
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/me", new RegisterResponse(memberId))
            : ApiProblems.From(result.Refusal!);
    }

    /// <summary>The member id of a caller signed in as a member; null for anyone else (anonymous, operators).</summary>
    public static string? MemberIdOrNull(this ClaimsPrincipal user)
        => user is not null && user.IsInRole(AuthClaims.MemberRole) ? AuthClaims.SubjectOf(user) : null;

    private static async Task<Results<Ok<AccessTokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext context, IGrainFactory grains, SignInSessions sessions, ShopperActivityRecorder activity, SignInGuard guard)
    {
        var wrong = ApiProblems.Of("unauthorized", "The login or the password is wrong.");
        var byCode = string.IsNullOrEmpty(request.Password) && !string.IsNullOrEmpty(request.Code);
        if (string.IsNullOrWhiteSpace(request.Login) || (!byCode && (string.IsNullOrEmpty(request.Password) || request.Password.Length > 256)) || request.Code?.Length > 16)
        {
            return wrong;
        }

        // What is neither a phone number nor an e-mail address can only be an operator's login (or no account at all).
        var memberLogin = ContactValidation.NormalisePhone(request.Login) ?? ContactValidation.NormaliseEmail(request.Login);
        var operatorLogin = memberLogin is null ? OperatorLogins.Normalise(request.Login) : null;
        var account = memberLogin ?? operatorLogin;
        var address = SignInGuard.AddressOf(context);
        if (await guard.RefusalAsync(context, account, address) is { } refused)
        {
            return refused;
        }

        var subject = byCode ? (memberLogin is null ? null : await MemberByCodeAsync(grains, activity, memberLogin, request.Code!))
            : operatorLogin is not null ? await OperatorAsync(grains, operatorLogin, request.Password!)
            : memberLogin is not null ? await MemberAsync(grains, activity, memberLogin, request.Password!)
            : null;
        if (subject is not { } signedIn)
        {
            await guard.FailedAsync(account, address);
            return wrong;
        }

        await guard.SucceededAsync(account!);
        return TypedResults.Ok(await sessions.OpenAsync(signedIn));
    }

    private static async Task<SessionSubject?> MemberByCodeAsync(IGrainFactory grains, ShopperActivityRecorder activity, string login, string code)
    {
        if (await OneTimeCodeEndpoints.RedeemSignInCodeAsync(grains, login, code) is not { } member)
        {
            return null;
        }

        activity.Record(ShopperActivityKind.Login, member.MemberId, memberSince: member.MemberSince);
        return SessionSubject.Member(member.MemberId);
    }

    private static async Task<SessionSubject?> OperatorAsync(IGrainFactory grains, string login, string password)
        => await grains.GetGrain<IOperatorGrain>(login).SignInAsync(password) is { } account ? SessionSubject.Operator(account.Login, account.Role) : null;

    private static async Task<SessionSubject?> MemberAsync(IGrainFactory grains, ShopperActivityRecorder activity, string login, string password)
    {
        if (await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync() is not { } memberId
            || await grains.GetGrain<IMemberGrain>(memberId).VerifyPasswordAsync(password) is not { Matches: true } check)
        {
            return null;
        }

        activity.Record(ShopperActivityKind.Login, memberId, memberSince: check.MemberSince);
        return SessionSubject.Member(memberId);
    }
}
