using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Sessions;
using PointsMall.Grains.Messages;

namespace PointsMall.Api.Members;

/// <summary>The new phone or e-mail, and the code sent to it.</summary>
public sealed record ChangeLoginRequest(
    [property: Required, StringLength(100)] string? Login,
    [property: Required, RegularExpression("^[0-9]{6}$", ErrorMessage = "Six digits.")] string? Code);

/// <summary>
/// Moving a member to a new phone or e-mail: a code goes to the new one, and the change takes that code, so nobody moves
/// an account to a phone or mailbox it does not hold. The code is the member's own (keyed by member and login).
/// </summary>
public static class LoginChangeEndpoints
{
    public static IEndpointRouteBuilder MapLoginChange(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/me/login").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Members");
        me.MapPost("/code", SendAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("RequestLoginChangeCode")
            .WithSummary("Sends a code to a new phone or e-mail for the member to move to (at most one a minute); 409 when another member holds it.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.Conflict);
        me.MapPost("", ChangeAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("ChangeLogin")
            .WithSummary("Moves the member's phone or e-mail (whichever the login is) to the new one, with the code sent to it.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.InvalidCode, ApiProblems.Conflict);
        return routes;
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> SendAsync(
        OneTimeCodeRequest request, ClaimsPrincipal user, IGrainFactory grains, IMessageSender sender, TimeProvider time, CancellationToken cancellationToken)
    {
        if (OneTimeCodeEndpoints.Normalise(request.Login) is not { } login)
        {
            return OneTimeCodeEndpoints.NotALogin();
        }

        var memberId = user.MemberId();
        if (await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync() is { } owner && owner != memberId)
        {
            return ApiProblems.Of(ApiProblems.Conflict, "login_taken: another member signs in with it.");
        }

        if (await grains.GetGrain<IVerificationCodeGrain>(VerificationKeys.ChangeLogin(memberId, login)).IssueAsync(OneTimeCodeEndpoints.Codes) is { } code)
        {
            await OneTimeCodeEndpoints.SendCodeAsync(sender, login, code, "更换登录 login change", time, cancellationToken);
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> ChangeAsync(ChangeLoginRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (OneTimeCodeEndpoints.Normalise(request.Login) is not { } login)
        {
            return OneTimeCodeEndpoints.NotALogin();
        }

        var memberId = user.MemberId();
        if (!await grains.GetGrain<IVerificationCodeGrain>(VerificationKeys.ChangeLogin(memberId, login)).RedeemAsync(request.Code!))
        {
            return ApiProblems.Of(ApiProblems.InvalidCode, "The code is wrong, expired or already used: ask for a new one.");
        }

        var result = await grains.GetGrain<IMemberGrain>(memberId).ChangeLoginAsync(login);
        return result.Succeeded ? TypedResults.Ok(MeResponse.From(result.Member!)) : ApiProblems.From(result.Refusal!);
    }
}
