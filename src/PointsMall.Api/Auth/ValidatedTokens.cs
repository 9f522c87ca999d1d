using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PointsMall.Api.Auth;

/// <summary>
/// The JWT handler with a memory of the tokens it validated, so a shopper's token is checked in full once, not on
/// every request (parsing, the HMAC and the claims cost about twice the rest of the bearer handler's work). Sound
/// because a token is immutable and what was checked of it (signature, algorithm, issuer, audience, not-before) cannot
/// change; its expiry is checked against the auth clock on every request, and the revocation check runs after this one
/// on every request. Each request gets its own copy of the identity. Bounded: when full, expired tokens are dropped,
/// and if that is not enough it starts over.
/// </summary>
internal sealed class ValidatedTokens(TimeProvider time, int capacity = ValidatedTokens.DefaultCapacity) : JsonWebTokenHandler
{
    /// <summary>About 2 KB each: some tens of MB at most.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly ConcurrentDictionary<string, Validated> _known = new(StringComparer.Ordinal);

    public int Count => _known.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var now = time.GetUtcNow().UtcDateTime;
        if (token is not null && _known.TryGetValue(token, out var known) && now < known.Token.ValidTo + validationParameters.ClockSkew)
        {
            return new TokenValidationResult { IsValid = true, ClaimsIdentity = known.Identity.Clone(), SecurityToken = known.Token, Issuer = known.Token.Issuer };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && token is not null && result.SecurityToken is { } validated)
        {
            Remember(token, validated, result.ClaimsIdentity, now);
        }

        return result;
    }

    private void Remember(string token, SecurityToken validated, ClaimsIdentity identity, DateTime now)
    {
        if (_known.Count >= capacity)
        {
            foreach (var (key, value) in _known)
            {
                if (value.Token.ValidTo <= now)
                {
                    _known.TryRemove(key, out _);
                }
            }

            if (_known.Count >= capacity)
            {
                _known.Clear();
            }
        }

        // Kept apart from the token's parsed form (its JSON, its own claims), which would weigh several times more.
        var claims = identity.Claims.Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer));
        _known.TryAdd(token, new Validated(
            new ClaimsIdentity(claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType),
            new ValidatedToken(validated.Id, validated.Issuer, validated.ValidFrom, validated.ValidTo)));
    }

    private sealed record Validated(ClaimsIdentity Identity, ValidatedToken Token);

    /// <summary>What the bearer handler reads of a validated token (its times become the ticket's).</summary>
    private sealed class ValidatedToken(string id, string issuer, DateTime validFrom, DateTime validTo) : SecurityToken
    {
        public override string Id => id;

        public override string Issuer => issuer;

        public override SecurityKey? SecurityKey => null;

        public override SecurityKey? SigningKey { get; set; }

        public override DateTime ValidFrom => validFrom;

        public override DateTime ValidTo => validTo;

        public override string UnsafeToString() => $"{Issuer}/{Id}";
    }
}
