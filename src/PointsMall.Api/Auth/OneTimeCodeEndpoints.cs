using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Grains.Messages;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Members;

namespace PointsMall.Api.Auth;

/// <summary>The phone or e-mail a one-time code goes to.</summary>
public sealed record OneTimeCodeRequest([property: Required, StringLength(100)] string? Login);

public sealed record PasswordResetConfirmation(
    [property: Required, StringLength(100)] string? Login,
    [property: Required, RegularExpression("^[0-9]{6}$", ErrorMessage = "Six digits.")] string? Code,
    [property: Required, StringLength(PasswordHash.MaxLength, MinimumLength = PasswordHash.MinLength, ErrorMessage = "{2} to {1} characters.")] string? NewPassword);

/// <summary>
/// One-time codes to the member's phone or mailbox: to sign in without the password (the code goes to
/// <c>POST /auth/login</c> as <c>code</c>), and for a forgotten password (a new password with the code). Asking for a
/// code answers the same whether or not the login exists, so it tells nobody which do.
/// </summary>
public static class OneTimeCodeEndpoints
{
    /// <summary>Codes live 10 minutes, a new one can be sent once a minute, and 5 wrong tries void one.</summary>
    public static readonly VerificationPolicy Codes = new(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), 5);

    public static IEndpointRouteBuilder MapOneTimeCodes(this IEndpointRouteBuilder routes)
    {
        var auth = routes.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/login-code", SignInCodeAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("RequestSignInCode")
            .WithSummary("Sends a one-time sign-in code to the member's phone or e-mail (for `POST /auth/login` with `code`): 202 whether or not the login exists, at most one a minute.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        auth.MapPost("/password-reset", ResetCodeAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("RequestPasswordReset")
            .WithSummary("Sends a one-time code to the member's phone or e-mail: 202 whether or not the login exists, a new code at most once a minute.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        auth.MapPost("/password-reset/confirm", ConfirmAsync).RequireShopperRateLimit(RateLimits.SignIns).WithName("ResetPassword")
            .WithSummary("Sets a new password with the code sent (valid 10 minutes, 5 tries); every session of the member ends.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.InvalidCode);
        return routes;
    }

    private static Task<Results<Accepted, ProblemHttpResult>> SignInCodeAsync(
        OneTimeCodeRequest request, IGrainFactory grains, IMessageSender sender, TimeProvider time, CancellationToken cancellationToken)
        => SendAsync(request, grains, sender, time, VerificationKeys.SignIn, "登录 sign-in", cancellationToken);

    private static Task<Results<Accepted, ProblemHttpResult>> ResetCodeAsync(
        OneTimeCodeRequest request, IGrainFactory grains, IMessageSender sender, TimeProvider time, CancellationToken cancellationToken)
        => SendAsync(request, grains, sender, time, VerificationKeys.PasswordReset, "重置密码 password reset", cancellationToken);

    private static async Task<Results<Accepted, ProblemHttpResult>> SendAsync(
        OneTimeCodeRequest request, IGrainFactory grains, IMessageSender sender, TimeProvider time, Func<string, string> key, string purpose,
        CancellationToken cancellationToken)
    {
        if (Normalise(request.Login) is not { } login)
        {
            return NotALogin();
        }

        if (await MemberOfAsync(grains, login) is not null && await grains.GetGrain<IVerificationCodeGrain>(key(login)).IssueAsync(Codes) is { } code)
        {
            await SendCodeAsync(sender, login, code, purpose, time, cancellationToken);
        }

        return TypedResults.Accepted((string?)null);
    }

    /// <summary>Sends a code by SMS to a phone login, by e-mail to an e-mail one.</summary>
    internal static Task SendCodeAsync(IMessageSender sender, string login, string code, string purpose, TimeProvider time, CancellationToken cancellationToken)
    {
        var text = $"【积分商城】{purpose} 验证码 {code}，{Codes.Lifetime.TotalMinutes:0} 分钟内有效。Your PointsMall code is {code}.";
        return sender.SendAsync(new OutgoingMessage(login.StartsWith('+') ? "sms" : "email", login, text, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The member a sign-in code proves, spending the code; null when the code is wrong, spent or expired.</summary>
    public static async Task<(string MemberId, DateTimeOffset MemberSince)?> RedeemSignInCodeAsync(IGrainFactory grains, string login, string code)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (!await grains.GetGrain<IVerificationCodeGrain>(VerificationKeys.SignIn(login)).RedeemAsync(code)
            || await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync() is not { } memberId
            || await grains.GetGrain<IMemberGrain>(memberId).GetAsync() is not { } member)
        {
            return null;
        }

        return (memberId, member.RegisteredAt);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ConfirmAsync(
        PasswordResetConfirmation request, IGrainFactory grains, SessionRevocations revocations, SignInGuard guard)
    {
        if (Normalise(request.Login) is not { } login)
        {
            return NotALogin();
        }

        var invalid = ApiProblems.Of(ApiProblems.InvalidCode, "The code is wrong, expired or already used: ask for a new one.");
        if (!await grains.GetGrain<IVerificationCodeGrain>(VerificationKeys.PasswordReset(login)).RedeemAsync(request.Code!)
            || await MemberOfAsync(grains, login) is not { } member)
        {
            return invalid;
        }

        var result = await member.ResetPasswordAsync(request.NewPassword!);
        revocations.Add(result.Revoked);
        if (result.Refusal is { } refusal)
        {
            return ApiProblems.From(refusal);
        }

        // The owner proved it holds the login: a lock that guessing put on it no longer stands in its way.
        await guard.SucceededAsync(login);
        return TypedResults.NoContent();
    }

    /// <summary>A phone (as +86…) or an e-mail address, normalised; null when it is neither.</summary>
    internal static string? Normalise(string? login)
        => login is null ? null : ContactValidation.NormalisePhone(login) ?? ContactValidation.NormaliseEmail(login);

    /// <summary>The registered member that holds the login (a claim whose registration never finished holds none).</summary>
    internal static async Task<IMemberGrain?> MemberOfAsync(IGrainFactory grains, string login)
    {
        if (await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync() is not { } memberId)
        {
            return null;
        }

        var member = grains.GetGrain<IMemberGrain>(memberId);
        return await member.GetAsync() is null ? null : member;
    }

    internal static ProblemHttpResult NotALogin()
        => ApiProblems.Validation(new Dictionary<string, string[]> { ["login"] = ["A mainland mobile number or an e-mail address."] });
}
