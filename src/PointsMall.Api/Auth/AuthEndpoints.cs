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

/// <summary>A phone number or an e-mail address (or both) identifies the member.</summary>
public sealed record RegisterRequest(
    [property: ChinaMobile] string? Phone,
    [property: ContactEmail] string? Email,
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? Password,
    [property: Required, Text(MemberProfile.MaxNicknameLength)] string? DisplayName) : IValidatableObject
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

public sealed record LoginRequest(string? Login, string? Password);

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
            .WithSummary("Signs a member (phone or e-mail) or the operator (admin) in: a short-lived access token (JWT) and a refresh token.")
            .Produces<AccessTokenResponse>().ProducesProblemCodes(ApiProblems.Unauthorized);
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
            .RegisterAsync(new RegisterMember(request.Phone, request.Email, request.Password ?? "", request.DisplayName ?? ""));
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/me", new RegisterResponse(memberId))
            : ApiProblems.From(result.Refusal!);
    }

    /// <summary>The member id of a caller signed in as a member; null for anyone else (anonymous, operators).</summary>
    public static string? MemberIdOrNull(this ClaimsPrincipal user)
        => user is not null && user.IsInRole(AuthClaims.MemberRole) ? AuthClaims.SubjectOf(user) : null;

    private static async Task<Results<Ok<AccessTokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, IGrainFactory grains, SignInSessions sessions, ShopperActivityRecorder activity)
    {
        var wrong = ApiProblems.Of("unauthorized", "The login or the password is wrong.");
        if (string.IsNullOrWhiteSpace(request.Login) || string.IsNullOrEmpty(request.Password) || request.Password.Length > 256)
        {
            return wrong;
        }

        var login = ContactValidation.NormalisePhone(request.Login) ?? ContactValidation.NormaliseEmail(request.Login);

        // What is neither a phone number nor an e-mail address can only be an operator's login.
        if (login is null && OperatorLogins.Normalise(request.Login) is { } operatorLogin)
        {
            return await grains.GetGrain<IOperatorGrain>(operatorLogin).SignInAsync(request.Password) is { } account
                ? TypedResults.Ok(await sessions.OpenAsync(SessionSubject.Operator(account.Login, account.Role)))
                : wrong;
        }

        var memberId = login is null ? null : await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync();
        if (memberId is null || await grains.GetGrain<IMemberGrain>(memberId).VerifyPasswordAsync(request.Password) is not { Matches: true } check)
        {
            return wrong;
        }

        activity.Record(ShopperActivityKind.Login, memberId, memberSince: check.MemberSince);
        return TypedResults.Ok(await sessions.OpenAsync(SessionSubject.Member(memberId)));
    }
}
