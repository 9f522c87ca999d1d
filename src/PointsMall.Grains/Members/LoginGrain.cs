using PointsMall.Actors;
using PointsMall.Contracts.Members;

namespace PointsMall.Grains.Members;

public sealed record LoginState
{
    public string? Owner { get; init; }
}

/// <summary>
/// One normalised login (phone in +86 form or lower-case e-mail) → its member. The first claim wins and is
/// durable before it is answered; the same member claiming again gets its own id back (a retried registration),
/// anyone else gets the owner's id and must refuse.
/// </summary>
public sealed class LoginGrain(IPersistentState<LoginState> state) : Grain, ILoginGrain
{
    public Task<string> ClaimAsync(string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        if (state.State.Owner is null)
        {
            state.State = state.State with { Owner = memberId };
        }

        return Task.FromResult(state.State.Owner!);
    }

    public Task<string?> GetOwnerAsync() => Task.FromResult(state.State.Owner);
}
