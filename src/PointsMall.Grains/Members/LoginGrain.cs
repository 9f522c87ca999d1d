using Microsoft.Extensions.DependencyInjection;
using PointsMall.GroupCommit;
using PointsMall.Contracts.Members;

namespace PointsMall.Grains.Members;

public sealed record LoginState
{
    public string? Owner { get; init; }

    /// <summary>When the owner claimed it; a take-over of a claim that never became a registration waits this long.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }
}

/// <summary>
/// One normalised login (phone in +86 form or lower-case e-mail) → its member. The first claim wins and is
/// durable before it is answered; the same member claiming again gets its own id back (a retried registration),
/// anyone else gets the owner's id and must refuse.
/// </summary>
[GrainType("login")]
public sealed class LoginGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<LoginState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time) : MallGrain, ILoginGrain
{
    /// <summary>
    /// A claim younger than this may belong to a registration still in its turn (bounded by the call timeout),
    /// so it is never taken over.
    /// </summary>
    public static readonly TimeSpan StaleClaimAge = TimeSpan.FromMinutes(2);

    public Task<string> ClaimAsync(string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        if (state.State.Owner is null)
        {
            state.State = state.State with { Owner = memberId, ClaimedAt = time.GetUtcNow() };
        }

        return Task.FromResult(state.State.Owner!);
    }

    public Task<string?> GetOwnerAsync() => Task.FromResult(state.State.Owner);

    public Task<bool> ReleaseAsync(string memberId)
    {
        if (state.State.Owner is null || !string.Equals(state.State.Owner, memberId, StringComparison.Ordinal))
        {
            return Task.FromResult(false);
        }

        state.State = state.State with { Owner = null, ClaimedAt = null };
        return Task.FromResult(true);
    }

    public Task<string?> TakeOverAsync(string staleOwner, string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);

        // The caller has seen that the stale owner is not a registered member; the age check keeps a
        // registration that is still running from losing the login it just claimed.
        var claimedAt = state.State.ClaimedAt ?? DateTimeOffset.MinValue;
        if (string.Equals(state.State.Owner, staleOwner, StringComparison.Ordinal) && time.GetUtcNow() - claimedAt >= StaleClaimAge)
        {
            state.State = state.State with { Owner = memberId, ClaimedAt = time.GetUtcNow() };
        }
        else if (state.State.Owner is null)
        {
            state.State = state.State with { Owner = memberId, ClaimedAt = time.GetUtcNow() };
        }

        return Task.FromResult<string?>(state.State.Owner);
    }
}
