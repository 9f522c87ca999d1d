using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace PointsMall.Api.Auth;

/// <summary>
/// Remembers which bearer tokens decrypted to which ticket, so a shopper's token is decrypted once, not on every
/// request (in a flash sale each member sends many; decrypting was a measurable share of a redemption's CPU).
/// Sound because a token is immutable and the handler still checks <c>ExpiresUtc</c> on every request; each
/// request gets its own copy of the ticket. Bounded: when full it starts over.
/// </summary>
public sealed class CachedTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, int capacity = CachedTicketFormat.DefaultCapacity)
    : ISecureDataFormat<AuthenticationTicket>
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, AuthenticationTicket> _tickets = new(StringComparer.Ordinal);

    public int Count => _tickets.Count;

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        // Only the default purpose is cached: that is the one the bearer handler asks for.
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        if (_tickets.TryGetValue(protectedText, out var known))
        {
            return Copy(known);
        }

        // Tokens that do not decrypt are not remembered: garbage must not fill the cache.
        var ticket = inner.Unprotect(protectedText);
        if (ticket is null)
        {
            return null;
        }

        if (_tickets.Count >= capacity)
        {
            _tickets.Clear();
        }

        _tickets.TryAdd(protectedText, Copy(ticket));
        return ticket;
    }

    private static AuthenticationTicket Copy(AuthenticationTicket ticket)
        => new(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);
}

/// <summary>Wraps the bearer scheme's protector, which the framework sets while configuring its options.</summary>
internal sealed class CachedTicketFormatSetup : IPostConfigureOptions<BearerTokenOptions>
{
    public void PostConfigure(string? name, BearerTokenOptions options)
    {
        if (options.BearerTokenProtector is { } protector and not CachedTicketFormat)
        {
            options.BearerTokenProtector = new CachedTicketFormat(protector);
        }
    }
}
