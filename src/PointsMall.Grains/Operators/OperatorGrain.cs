using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Operators;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Members;
using PointsMall.Domain.Operators;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Operators;

public sealed record OperatorState
{
    public PasswordHash? Password { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>Null for the first operator, created before roles existed: it is the super admin.</summary>
    public OperatorRole? Role { get; init; }

    public bool Disabled { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>
/// An admin-console operator: a login, a salted slow password hash, a role, and whether it may sign in. Each change
/// rewrites its entry in the operators index in the same commit, so the console's list never disagrees with the
/// accounts. A change that alters what the operator's tokens say (role, disabled, password) revokes its sessions.
/// </summary>
[GrainType("operator")]
public sealed class OperatorGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<OperatorState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, IOperatorGrain
{
    private bool Exists => state.State.Password is not null;

    public Task<bool> EnsureCreatedAsync(string password)
    {
        if (Exists)
        {
            return Task.FromResult(false);
        }

        Save(new OperatorState { Password = Hash(password), DisplayName = GrainKey, Role = OperatorRole.SuperAdmin, CreatedAt = time.GetUtcNow() });
        return Task.FromResult(true);
    }

    public Task<OperatorResult> CreateAsync(CreateOperator command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Exists)
        {
            return Task.FromResult(OperatorResult.Refused("conflict", $"An operator '{GrainKey}' exists already."));
        }

        Save(new OperatorState { Password = Hash(command.Password), DisplayName = command.DisplayName, Role = command.Role, CreatedAt = time.GetUtcNow() });
        return Task.FromResult(OperatorResult.Ok(View()!));
    }

    public Task<OperatorView?> GetAsync() => Task.FromResult(View());

    public Task<OperatorView?> SignInAsync(string password)
        => Task.FromResult(state.State is { Password: { } hash, Disabled: false } && !string.IsNullOrEmpty(password) && hash.Verify(password) ? View() : null);

    public async Task<OperatorResult> UpdateAsync(UpdateOperator command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!Exists)
        {
            return NotFound();
        }

        var roleChanges = command.Role is { } role && role != RoleOf(state.State);
        Save(state.State with { DisplayName = command.DisplayName ?? state.State.DisplayName, Role = command.Role ?? RoleOf(state.State) });
        return OperatorResult.Ok(View()!, roleChanges ? await RevokeSessionsAsync() : null);
    }

    public async Task<OperatorResult> SetDisabledAsync(bool disabled)
    {
        if (!Exists)
        {
            return NotFound();
        }

        if (state.State.Disabled != disabled)
        {
            Save(state.State with { Disabled = disabled });
        }

        return OperatorResult.Ok(View()!, disabled ? await RevokeSessionsAsync() : null);
    }

    /// <summary>Sets a new password and signs the operator out everywhere: every session it had is revoked.</summary>
    public async Task<OperatorResult> SetPasswordAsync(string password)
    {
        if (!Exists)
        {
            return NotFound();
        }

        Save(state.State with { Password = Hash(password) });
        return OperatorResult.Ok(View()!, await RevokeSessionsAsync());
    }

    public async Task<OperatorResult> ChangePasswordAsync(string current, string replacement)
    {
        if (state.State is not { Password: { } hash, Disabled: false } || string.IsNullOrEmpty(current) || !hash.Verify(current))
        {
            return OperatorResult.Refused("wrong_password", "The current password is wrong.");
        }

        return await SetPasswordAsync(replacement);
    }

    private static OperatorRole RoleOf(OperatorState s) => s.Role ?? OperatorRole.SuperAdmin;

    private OperatorView? View()
    {
        var s = state.State;
        if (s.Password is null)
        {
            return null;
        }

        var created = s.CreatedAt ?? DateTimeOffset.UnixEpoch;
        return new OperatorView(GrainKey, s.DisplayName ?? GrainKey, RoleOf(s), s.Disabled, created, s.UpdatedAt ?? created);
    }

    /// <summary>The new state and, in the same commit, its entry in the operators index.</summary>
    private void Save(OperatorState next)
    {
        state.State = next with { UpdatedAt = time.GetUtcNow() };
        var view = View()!;
        UpdateIndex(IOperatorDirectoryGrain.Index, view, view.CreatedAt.UtcTicks, tag: view.Disabled ? "disabled" : "enabled", text: $"{view.Login} {view.DisplayName}");
    }

    private Task<IReadOnlyList<RevokedSession>> RevokeSessionsAsync() => GrainFactory.GetGrain<ISessionsGrain>(SessionKeys.Operator(GrainKey)).RevokeAllAsync();

    private OperatorResult NotFound() => OperatorResult.Refused("not_found", $"There is no operator '{GrainKey}'.");

    private static PasswordHash Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(password.Length, PasswordHash.MinLength, nameof(password));
        return PasswordHash.Create(password);
    }
}

/// <summary>The list of operators: a query of the operators index.</summary>
[GrainType("operator-directory")]
public sealed class OperatorDirectoryGrain(IGrainIndex index) : MallGrain, IOperatorDirectoryGrain
{
    public async Task<IReadOnlyList<OperatorView>> ListAsync()
        => (await index.QueryAsync<OperatorView>(new IndexQuery(IOperatorDirectoryGrain.Index, Limit: IOperatorDirectoryGrain.MaxOperators))).Items;
}
