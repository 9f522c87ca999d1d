using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Sessions;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Sessions;

/// <summary>
/// One login's live verification code, in memory: a code lives minutes, and one lost with a silo only means asking for
/// another. The grain stays active while its code lives. Six random digits, compared by hash in constant time; with
/// a few attempts per code and a minute between codes, guessing is hopeless.
/// </summary>
[GrainType("verification-code")]
public sealed class VerificationCodeGrain([FromKeyedServices(GrainClock.Key)] TimeProvider time) : MallGrain, IVerificationCodeGrain
{
    private byte[]? _hash;
    private DateTimeOffset _issuedAt;
    private DateTimeOffset _expiresAt;
    private int _attemptsLeft;

    public Task<string?> IssueAsync(VerificationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(policy.Attempts);
        var now = time.GetUtcNow();
        if (_hash is not null && now - _issuedAt < policy.ResendAfter)
        {
            return Task.FromResult<string?>(null);
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        (_hash, _issuedAt, _expiresAt, _attemptsLeft) = (Hash(code), now, now + policy.Lifetime, policy.Attempts);
        DelayDeactivation(policy.Lifetime);
        return Task.FromResult<string?>(code);
    }

    public Task<bool> RedeemAsync(string code)
    {
        if (_hash is null || time.GetUtcNow() >= _expiresAt || string.IsNullOrEmpty(code))
        {
            return Task.FromResult(false);
        }

        if (CryptographicOperations.FixedTimeEquals(_hash, Hash(code.Trim())))
        {
            _hash = null;
            return Task.FromResult(true);
        }

        if (--_attemptsLeft <= 0)
        {
            _hash = null;
        }

        return Task.FromResult(false);
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));
}
