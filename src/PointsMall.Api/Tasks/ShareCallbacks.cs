using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PointsMall.Api.Tasks;

/// <summary>
/// The sharing partner (a social platform's share tracker), configuration section <c>Partners</c>. Only a callback
/// signed with <see cref="ShareSecret"/> earns a share bonus; with no secret set, every callback is refused.
/// </summary>
public sealed class PartnerOptions
{
    public const string Section = "Partners";

    /// <summary>The key the partner signs share callbacks with (HMAC-SHA256); unset turns share bonuses off.</summary>
    public string? ShareSecret { get; set; }
}

/// <summary>A partner's report that a member's share was seen (clicked or viewed through), as the callback receives it.</summary>
public sealed record ShareCallback(string MemberId, string ShareId, string Channel, DateTimeOffset SharedAt)
{
    /// <summary>Every field, in a fixed order, one per line, with invariant formatting: what the signature covers.</summary>
    public string CanonicalString() => string.Join('\n',
        "member_id=" + MemberId,
        "share_id=" + ShareId,
        "channel=" + Channel,
        "shared_at=" + SharedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>The lower-case hex HMAC-SHA256 of the canonical string under <paramref name="secret"/>.</summary>
    public string Sign(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(CanonicalString())));
    }

    /// <summary>Whether <paramref name="signature"/> is this callback's under <paramref name="secret"/> (compared in constant time).</summary>
    public bool Verifies(string? secret, string? signature)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret));
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
