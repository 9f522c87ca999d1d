using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Sessions;

namespace PointsMall.Api.Auth;

/// <summary>
/// Brute-force protection of the sign-in: wrong passwords are counted per login and per client address (in the
/// cluster, by <see cref="ISignInGuardGrain"/>), and a login or an address that had too many within
/// <see cref="AuthOptions.FailureWindow"/> is refused for <see cref="AuthOptions.LockFor"/>, even with the right
/// password: <c>locked</c> for a login, <c>rate_limited</c> for an address, both with <c>Retry-After</c>. Logins that do
/// not exist are counted like the others, so the answers say nothing about which do.
/// </summary>
public sealed class SignInGuard(IGrainFactory grains, AuthOptions options, TimeProvider time)
{
    /// <summary>The refusal when <paramref name="login"/> or <paramref name="address"/> is locked now; null to go on.</summary>
    public async Task<ProblemHttpResult?> RefusalAsync(HttpContext context, string? login, string address)
    {
        ArgumentNullException.ThrowIfNull(context);
        var locked = await Task.WhenAll(login is null ? Task.FromResult<DateTimeOffset?>(null) : Login(login).LockedUntilAsync(), Address(address).LockedUntilAsync());
        return locked[0] is { } loginUntil ? Refuse(context, ApiProblems.Locked, loginUntil, "Too many wrong passwords for this login: it is locked for a while.")
            : locked[1] is { } addressUntil ? Refuse(context, ApiProblems.RateLimited, addressUntil, "Too many failed sign-ins from this address: wait a while.")
            : null;
    }

    /// <summary>Counts a failed sign-in against the address, and against the login when it could be an account's.</summary>
    public Task FailedAsync(string? login, string address)
        => Task.WhenAll(
            login is null ? Task.CompletedTask : Login(login).FailedAsync(new SignInPolicy(options.LoginFailures, options.FailureWindow, options.LockFor)),
            Address(address).FailedAsync(new SignInPolicy(options.AddressFailures, options.FailureWindow, options.LockFor)));

    /// <summary>
    /// The login's failures (and lock) are forgotten; the address's are not (one good account must not reset a
    /// guesser's count). Also called when the owner resets the password by code, which proves it holds the login.
    /// </summary>
    public Task SucceededAsync(string login) => Login(login).SucceededAsync();

    /// <summary>The caller's address as the server sees it (behind a proxy, configure forwarded headers so this is the client's).</summary>
    public static string AddressOf(HttpContext context) => context?.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private ISignInGuardGrain Login(string login) => grains.GetGrain<ISignInGuardGrain>(SignInGuardKeys.Login(login));

    private ISignInGuardGrain Address(string address) => grains.GetGrain<ISignInGuardGrain>(SignInGuardKeys.Address(address));

    private ProblemHttpResult Refuse(HttpContext context, string code, DateTimeOffset until, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((until - time.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblems.Of(code, detail, new Dictionary<string, object?> { ["retryAfter"] = seconds });
    }
}
