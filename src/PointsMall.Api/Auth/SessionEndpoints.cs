using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Auth;

/// <summary>The refresh token the last sign-in or refresh gave.</summary>
public sealed record RefreshRequest([property: Required, StringLength(RefreshTokens.MaxLength, ErrorMessage = "At most {1} characters.")] string? RefreshToken);

public sealed record RevokeSessionsResponse(string MemberId, int Revoked);

/// <summary>
/// Refresh (a new access token and a rotated refresh token), sign-out (this session, on every node), and the operators'
/// revocation of all of a member's sessions.
/// </summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/refresh", RefreshAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("RefreshToken")
            .WithSummary("Trades a refresh token for a new access token and a new refresh token (the one sent is spent; sending it again ends the session).")
            .Produces<AccessTokenResponse>().ProducesProblemCodes(ApiProblems.Unauthorized);
        auth.MapPost("/logout", SignOutAsync).RequireAuthorization().WithName("Logout")
            .WithSummary("Ends this session: its access and refresh tokens stop working on every API node.");
        routes.MapPost("/admin/members/{id}/sessions/revoke", RevokeMemberSessionsAsync).RequireAuthorization(ApiSetup.AdminPolicy).RequirePermission(Permission.MemberSupport)
            .WithTags("Admin: members").WithName("RevokeMemberSessions")
            .WithSummary("Ends every session of a member: signed out everywhere, its tokens refused on every API node.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        return routes;
    }

    private static async Task<Results<Ok<AccessTokenResponse>, ProblemHttpResult>> RefreshAsync(RefreshRequest request, SignInSessions sessions)
        => await sessions.RefreshAsync(request.RefreshToken!) is { } tokens
            ? TypedResults.Ok(tokens)
            : ApiProblems.Of(ApiProblems.Unauthorized, "The refresh token is not valid (expired, already used, or its session ended): sign in again.");

    private static async Task<NoContent> SignOutAsync(HttpContext context, SignInSessions sessions)
    {
        await sessions.SignOutAsync(context.User);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RevokeSessionsResponse>, ProblemHttpResult>> RevokeMemberSessionsAsync(string id, IGrainFactory grains, SignInSessions sessions)
    {
        if (!Identifiers.IsToken(id, SessionSubject.MaxIdLength) || await grains.GetGrain<IMemberGrain>(id).GetAsync() is null)
        {
            return ApiProblems.NotFound("The member");
        }

        return TypedResults.Ok(new RevokeSessionsResponse(id, await sessions.RevokeAllAsync(SessionSubject.Member(id))));
    }
}
