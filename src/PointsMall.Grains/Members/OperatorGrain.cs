using PointsMall.GroupCommit;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Members;

namespace PointsMall.Grains.Members;

public sealed record OperatorState
{
    public PasswordHash? Password { get; init; }
}

/// <summary>An admin-console operator: a login and a salted slow password hash, nothing else.</summary>
[GrainType("operator")]
public sealed class OperatorGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<OperatorState> state) : MallGrain, IOperatorGrain
{
    public const int MinPasswordLength = 8;

    public Task<bool> EnsureCreatedAsync(string password)
    {
        if (state.State.Password is not null)
        {
            return Task.FromResult(false);
        }

        state.State = state.State with { Password = Hash(password) };
        return Task.FromResult(true);
    }

    public Task<bool> VerifyPasswordAsync(string password)
        => Task.FromResult(state.State.Password is { } hash && !string.IsNullOrEmpty(password) && hash.Verify(password));

    /// <summary>Sets a new password and signs the operator out everywhere: every session it had is revoked.</summary>
    public async Task SetPasswordAsync(string password)
    {
        state.State = state.State with { Password = Hash(password) };
        await GrainFactory.GetGrain<ISessionsGrain>(SessionKeys.Operator(GrainKey)).RevokeAllAsync();
    }

    private static PasswordHash Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(password.Length, MinPasswordLength, nameof(password));
        return PasswordHash.Create(password);
    }
}
