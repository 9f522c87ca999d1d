using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PointsMall.Api.Auth;

/// <summary>Bearer authentication with the API's JWT access tokens, their sessions and the revocation check.</summary>
public static class AuthSetup
{
    /// <summary>The bearer scheme (the default one): access tokens in the Authorization header.</summary>
    public const string BearerScheme = JwtBearerDefaults.AuthenticationScheme;

    public static Microsoft.AspNetCore.Authentication.AuthenticationBuilder AddPointsMallBearer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(AuthOptions.From(configuration));
        services.AddSingleton<SignInGuard>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton<TimeProvider>(AuthClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionRevocations>();
        services.AddSingleton<SignInSessions>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, BearerSetup>();
        return services.AddAuthentication(BearerScheme).AddJwtBearer();
    }

    /// <summary>
    /// The token checks (<see cref="AccessTokens.ValidationParameters"/>), claims under their JWT names, the auth
    /// clock, and the revocation check once a token's signature and lifetime are good.
    /// </summary>
    private sealed class BearerSetup(AccessTokens tokens, SessionRevocations revocations) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != BearerScheme)
            {
                return;
            }

            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ValidatedTokens(tokens.Time) { MapInboundClaims = false });
            options.MapInboundClaims = false;
            options.TokenValidationParameters = tokens.ValidationParameters;
            options.TimeProvider = tokens.Time;
            options.Events = new JwtBearerEvents { OnTokenValidated = CheckRevokedAsync };
        }

        private Task CheckRevokedAsync(TokenValidatedContext context)
        {
            if (context.Principal?.FindFirst(AuthClaims.SessionId)?.Value is not { } sessionId)
            {
                context.Fail("The token names no session.");
                return Task.CompletedTask;
            }

            var revoked = revocations.IsRevokedAsync(sessionId, context.HttpContext.RequestAborted);
            if (revoked.IsCompletedSuccessfully)
            {
                if (revoked.Result)
                {
                    context.Fail("The session was revoked.");
                }

                return Task.CompletedTask;
            }

            return FailIfRevokedAsync(context, revoked);
        }

        private static async Task FailIfRevokedAsync(TokenValidatedContext context, ValueTask<bool> revoked)
        {
            if (await revoked.ConfigureAwait(false))
            {
                context.Fail("The session was revoked.");
            }
        }
    }
}
