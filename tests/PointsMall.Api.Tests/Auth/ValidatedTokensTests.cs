using Microsoft.Extensions.Time.Testing;
using PointsMall.Api.Auth;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>The handler's memory of validated tokens: it saves work, never a check that could now fail.</summary>
public sealed class ValidatedTokensTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly AccessTokens _tokens;

    public ValidatedTokensTests()
    {
        _tokens = new AccessTokens(new AuthOptions { SigningKey = Convert.ToBase64String(new byte[32]) }, _clock);
    }

    [Fact]
    public async Task A_remembered_token_gives_each_request_its_own_identity_with_the_same_claims()
    {
        var handler = new ValidatedTokens(_clock) { MapInboundClaims = false };
        var token = _tokens.Issue(SessionSubject.Member("m-1"), "s-1").Token;

        var first = await handler.ValidateTokenAsync(token, _tokens.ValidationParameters);
        var second = await handler.ValidateTokenAsync(token, _tokens.ValidationParameters);

        Assert.True(first.IsValid && second.IsValid);
        Assert.Equal(1, handler.Count);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal(first.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)), second.ClaimsIdentity.Claims.Select(c => (c.Type, c.Value)));
        Assert.Equal(("m-1", true), (second.ClaimsIdentity.Name, second.ClaimsIdentity.HasClaim("role", "member")));
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task A_remembered_token_still_expires_by_the_clock()
    {
        var handler = new ValidatedTokens(_clock) { MapInboundClaims = false };
        var token = _tokens.Issue(SessionSubject.Member("m-1"), "s-1").Token;
        Assert.True((await handler.ValidateTokenAsync(token, _tokens.ValidationParameters)).IsValid);

        _clock.Advance(_tokens.Options.AccessTokenLifetime + _tokens.Options.ClockSkew + TimeSpan.FromSeconds(1));

        Assert.False((await handler.ValidateTokenAsync(token, _tokens.ValidationParameters)).IsValid);
    }

    [Fact]
    public async Task Refused_tokens_are_not_remembered_and_the_memory_stays_within_its_capacity()
    {
        var handler = new ValidatedTokens(_clock, capacity: 2) { MapInboundClaims = false };
        var other = new AccessTokens(new AuthOptions { SigningKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()) }, _clock);

        Assert.False((await handler.ValidateTokenAsync(other.Issue(SessionSubject.Member("m-1"), "s-1").Token, _tokens.ValidationParameters)).IsValid);
        Assert.Equal(0, handler.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await handler.ValidateTokenAsync(_tokens.Issue(SessionSubject.Member($"m-{i}"), $"s-{i}").Token, _tokens.ValidationParameters)).IsValid);
            Assert.InRange(handler.Count, 1, 2);
        }
    }
}
