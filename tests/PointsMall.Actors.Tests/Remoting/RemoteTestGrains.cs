using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace PointsMall.Actors.Tests.Remoting;

public enum Shade
{
    Light,
    Dark,
}

public sealed record Parcel(string Id, long Weight, IReadOnlyList<string> Tags, Parcel? Inner);

/// <summary>A grain whose methods exercise what crosses the wire: values, nulls, records, lists, void, faults, waits.</summary>
public interface IRemoteEchoGrain : IGrain
{
    Task<int> AddAsync(int a, int b);

    Task<string?> EchoAsync(string? text);

    Task<Parcel?> EchoParcelAsync(Parcel? parcel);

    Task<IReadOnlyList<Parcel>> SplitAsync(Parcel parcel, int parts);

    Task<string> DescribeAsync(Shade shade, int? maybe, IReadOnlyDictionary<string, long> counts, DateTimeOffset at, TimeSpan span);

    /// <summary>Adds to a persisted counter.</summary>
    Task<long> CountAsync(long amount);

    Task RememberAsync(string note);

    Task<IReadOnlyList<string>> NotesAsync();

    Task ThrowAsync(string message);

    /// <summary>Throws the runtime fault named by <paramref name="kind"/> (timeout, storage, conflict, unavailable).</summary>
    Task<int> FaultAsync(string kind);

    /// <summary>Waits until the test opens gate <paramref name="gate"/>.</summary>
    Task<string> WaitAsync(string gate);
}

/// <summary>Served by no silo in these tests: the gateway must refuse it.</summary>
public interface IUnhostedGrain : IGrain
{
    Task<int> PingAsync();
}

public sealed record RemoteEchoState
{
    public long Count { get; init; }

    public ImmutableList<string> Notes { get; init; } = [];
}

public sealed class RemoteEchoGrain(IPersistentState<RemoteEchoState> state) : Grain, IRemoteEchoGrain
{
    public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

    public Task<string?> EchoAsync(string? text) => Task.FromResult(text);

    public Task<Parcel?> EchoParcelAsync(Parcel? parcel) => Task.FromResult(parcel);

    public Task<IReadOnlyList<Parcel>> SplitAsync(Parcel parcel, int parts)
        => Task.FromResult<IReadOnlyList<Parcel>>(
            [.. Enumerable.Range(1, parts).Select(i => parcel with { Id = $"{parcel.Id}-{i}", Weight = parcel.Weight / parts })]);

    public Task<string> DescribeAsync(Shade shade, int? maybe, IReadOnlyDictionary<string, long> counts, DateTimeOffset at, TimeSpan span)
        => Task.FromResult($"{shade}|{maybe?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}|{string.Join(",", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}|{(at + span).ToString("O", System.Globalization.CultureInfo.InvariantCulture)}");

    public Task<long> CountAsync(long amount)
    {
        state.State = state.State with { Count = state.State.Count + amount };
        return Task.FromResult(state.State.Count);
    }

    public Task RememberAsync(string note)
    {
        state.State = state.State with { Notes = state.State.Notes.Add(note) };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> NotesAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Notes);

    public Task ThrowAsync(string message) => throw new InvalidOperationException(message);

    public Task<int> FaultAsync(string kind) => kind switch
    {
        "timeout" => throw new GrainCallTimeoutException("inner call timed out"),
        "storage" => throw new StorageCommitException("batch lost"),
        "conflict" => throw new VersionConflictException("fenced out"),
        "unavailable" => throw new SiloUnavailableException("silo stopping"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown fault"),
    };

    public async Task<string> WaitAsync(string gate)
    {
        await RemoteGates.Get(gate).Task;
        return gate;
    }
}

/// <summary>Gates that a test opens to release a grain that waits (never a sleep).</summary>
public static class RemoteGates
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static TaskCompletionSource Get(string name) => Gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static void Open(string name) => Get(name).TrySetResult();
}
