using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Sessions;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Sessions;

/// <summary>
/// One key's recent failed sign-ins, in memory only: a lock is short (minutes), and a silo restart that forgets one
/// gives an attacker a few more guesses, which is cheaper than a durable write per wrong password under a guessing
/// attack. While locked the grain keeps itself active, so idle collection does not forget the lock early.
/// </summary>
[GrainType("sign-in-guard")]
public sealed class SignInGuardGrain([FromKeyedServices(GrainClock.Key)] TimeProvider time) : MallGrain, ISignInGuardGrain
{
    private readonly Queue<DateTimeOffset> _failures = new();
    private DateTimeOffset? _lockedUntil;

    public Task<DateTimeOffset?> LockedUntilAsync() => Task.FromResult(Lock(time.GetUtcNow()));

    public Task<DateTimeOffset?> FailedAsync(SignInPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(policy.Failures);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(policy.Window, TimeSpan.Zero);
        var now = time.GetUtcNow();
        if (Lock(now) is { } locked)
        {
            return Task.FromResult<DateTimeOffset?>(locked);
        }

        _failures.Enqueue(now);
        while (_failures.Peek() <= now - policy.Window)
        {
            _failures.Dequeue();
        }

        if (_failures.Count >= policy.Failures)
        {
            _failures.Clear();
            _lockedUntil = now + policy.LockFor;
            DelayDeactivation(policy.LockFor);
        }

        return Task.FromResult(_lockedUntil);
    }

    public Task SucceededAsync()
    {
        _failures.Clear();
        _lockedUntil = null;
        return Task.CompletedTask;
    }

    private DateTimeOffset? Lock(DateTimeOffset now)
    {
        if (_lockedUntil is { } until && until <= now)
        {
            _lockedUntil = null;
        }

        return _lockedUntil;
    }
}
