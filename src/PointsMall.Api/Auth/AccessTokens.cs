using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Auth;

/// <summary>An issued access token and when it stops being accepted (its expiry plus the clock skew).</summary>
public sealed record IssuedAccessToken(string Token, DateTimeOffset ExpiresAt, DateTimeOffset AcceptedUntil);

/// <summary>
/// Issues and describes the checks of the API's access tokens: JWTs signed with HMAC-SHA256 by the deployment's
/// shared key, carrying the subject, its role, the session and a token id, valid <see cref="AuthOptions.AccessTokenLifetime"/>.
/// </summary>
public sealed class AccessTokens
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;

    public AccessTokens(AuthOptions options, [FromKeyedServices(AuthClock.Key)] TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Time = time;
        var key = string.IsNullOrWhiteSpace(options.SigningKey)
            ? SigningKeyFile.LoadOrCreate(options.KeysPath)
            : AuthOptions.DecodeKey(options.SigningKey, "Auth:SigningKey");

        // The key id lets a node tell at once a token signed with another deployment's key.
        Key = new SymmetricSecurityKey(key) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(key).AsSpan(0, 8).ToArray()) };
        _credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = options.ClockSkew,
            NameClaimType = AuthClaims.Subject,
            RoleClaimType = AuthClaims.Role,

            // The library's own lifetime check reads the system clock; this one reads the auth clock.
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + parameters.ClockSkew && (notBefore is not { } start || now >= start - parameters.ClockSkew);
            },
        };
    }

    public AuthOptions Options { get; }

    public TimeProvider Time { get; }

    public SymmetricSecurityKey Key { get; }

    /// <summary>What the bearer handler checks: issuer, audience, lifetime (with the skew), HS256 and the key.</summary>
    public TokenValidationParameters ValidationParameters { get; }

    public IssuedAccessToken Issue(SessionSubject subject, string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var now = Time.GetUtcNow();
        var expires = now + Options.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Options.Issuer,
            Audience = Options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
            Claims = Claims(subject, sessionId),
        });

        // JWT times are whole seconds: the token expires at the second its exp names.
        var exp = DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());
        return new IssuedAccessToken(token, exp, exp + Options.ClockSkew);
    }

    private static Dictionary<string, object> Claims(SessionSubject subject, string sessionId)
    {
        var claims = new Dictionary<string, object>(5, StringComparer.Ordinal)
        {
            [AuthClaims.Subject] = subject.Id,
            [AuthClaims.Role] = subject.Role,
            [AuthClaims.SessionId] = sessionId,
            [AuthClaims.TokenId] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
        };
        if (subject.OperatorRole is { } role)
        {
            claims[AuthClaims.OperatorRole] = OperatorRoles.NameOf(role);
        }

        return claims;
    }
}
