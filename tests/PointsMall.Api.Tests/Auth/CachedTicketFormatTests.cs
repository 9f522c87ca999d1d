using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using PointsMall.Api.Auth;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

public sealed class CachedTicketFormatTests
{
    private static readonly DateTimeOffset Expires = new(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_is_decrypted_once_and_every_request_gets_its_own_copy_with_the_expiry()
    {
        var inner = new CountingFormat();
        var cached = new CachedTicketFormat(inner);
        var token = cached.Protect(Ticket("m-1"));

        var first = cached.Unprotect(token)!;
        var second = cached.Unprotect(token)!;

        Assert.Equal(1, inner.Unprotects);
        Assert.NotSame(first, second);
        Assert.NotSame(first.Principal, second.Principal);
        Assert.Equal(["m-1", "m-1"], new[] { first, second }.Select(t => t.Principal.FindFirstValue(ClaimTypes.NameIdentifier)));
        Assert.Equal(Expires, second.Properties.ExpiresUtc);
    }

    [Fact]
    public void Tokens_that_do_not_decrypt_are_refused_every_time_and_not_remembered()
    {
        var inner = new CountingFormat();
        var cached = new CachedTicketFormat(inner);

        Assert.Null(cached.Unprotect("garbage"));
        Assert.Null(cached.Unprotect("garbage"));

        Assert.Equal(2, inner.Unprotects);
        Assert.Equal(0, cached.Count);
    }

    [Fact]
    public void The_cache_starts_over_when_it_is_full()
    {
        var cached = new CachedTicketFormat(new CountingFormat(), capacity: 2);
        foreach (var member in new[] { "m-1", "m-2", "m-3" })
        {
            Assert.NotNull(cached.Unprotect(cached.Protect(Ticket(member))));
        }

        Assert.Equal(1, cached.Count);
    }

    private static AuthenticationTicket Ticket(string memberId)
        => new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, memberId)], "test")),
            new AuthenticationProperties { ExpiresUtc = Expires }, "test");

    /// <summary>A reversible "protection" that counts how often it had to decrypt.</summary>
    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        private readonly Dictionary<string, AuthenticationTicket> _issued = [];

        public int Unprotects { get; private set; }

        public string Protect(AuthenticationTicket data) => Protect(data, null);

        public string Protect(AuthenticationTicket data, string? purpose)
        {
            var token = "t" + _issued.Count;
            _issued[token] = data;
            return token;
        }

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            return protectedText is not null && _issued.TryGetValue(protectedText, out var ticket) ? ticket : null;
        }
    }
}
