using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// An Orleans <see cref="IGrainStorage"/> that group-commits: the state writes of every activation in the silo go
/// through one <see cref="CommitQueue"/> into one transaction of the underlying <see cref="IGrainStore"/> (SQLite,
/// PostgreSQL or in memory), each with the outbox events and index entries the activation staged.
/// </summary>
/// <remarks>
/// <para><b>Keys.</b> A state row is keyed by the grain type and key (the state name is appended when it is not
/// <c>state</c>), the keys the stores have always used, so existing databases keep working.</para>
/// <para><b>Fencing.</b> The stored version is the ETag. A write succeeds only against the version this activation
/// read; otherwise it throws <see cref="InconsistentStateException"/> and the activation is deactivated, so a stale
/// owner can never overwrite its successor.</para>
/// <para><b>Failure.</b> When a batch fails, every write in it fails with <see cref="GrainStorageCommitException"/>
/// and each activation involved is deactivated: its in-memory state holds a change storage never took, so the next
/// call must reload. Nothing of the batch is visible, its events and index entries included.</para>
/// </remarks>
public sealed class GroupCommitGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    /// <summary>The state name whose rows are keyed by the grain type alone.</summary>
    public const string DefaultStateName = "state";

    private readonly string _name;
    private readonly IGrainStore _store;
    private readonly IGrainContextAccessor _contexts;
    private readonly CommitQueue _queue;

    public GroupCommitGrainStorage(string name, IGrainStore store, GroupCommitOptions options, IGrainContextAccessor contexts, ILogger<GroupCommitGrainStorage> logger, GroupCommitMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _name = name;
        _store = store;
        _contexts = contexts;
        _queue = new CommitQueue(store, options.MaxBatchSize, logger, metrics);
    }

    /// <summary>Called when a write has joined the queue (tests synchronise on it: Orleans may queue a grain's write before it reaches the provider).</summary>
    internal Action<StateKey>? WriteQueued { get; set; }

    /// <summary>Raised after a commit that carried outbox events (the outbox readers wake on it).</summary>
    internal event Action? EventsCommitted
    {
        add => _queue.EventsCommitted += value;
        remove => _queue.EventsCommitted -= value;
    }

    /// <summary>The store under this provider (for health checks and index queries).</summary>
    public IGrainStore Store => _store;

    /// <summary>Set while commits fail (a store that answers reads but refuses writes: a full disk, a read-only file).</summary>
    public CommitFailure? FailingWrites => _queue.Failing;

    /// <summary>Transactions committed and the state writes they carried.</summary>
    public (long Commits, long Writes) Statistics => _queue.Statistics;

    public static StateKey KeyOf(string stateName, GrainId grainId)
    {
        var type = grainId.Type.ToString()!;
        return new StateKey(string.IsNullOrEmpty(stateName) || stateName == DefaultStateName ? type : $"{type}.{stateName}", grainId.Key.ToString()!);
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe($"{nameof(GroupCommitGrainStorage)}-{_name}", ServiceLifecycleStage.RuntimeInitialize, _store.InitializeAsync, _ => Task.CompletedTask);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = await _store.ReadStateAsync(KeyOf(stateName, grainId), CancellationToken.None).ConfigureAwait(false);
        if (stored is null)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        // A cleared state keeps its row (and version, so fencing goes on) with an empty payload.
        grainState.ETag = stored.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = stored.Payload.Length > 0;
        if (grainState.RecordExists)
        {
            grainState.State = JsonSerializer.Deserialize<T>(stored.Payload, GroupCommitJson.Options)!;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);

        // Serialized now, on the activation's turn: what is written is the state of this moment, whatever later turns do.
        return WriteAsync(stateName, grainId, grainState, JsonSerializer.SerializeToUtf8Bytes(grainState.State, GroupCommitJson.Options), exists: true);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        return WriteAsync(stateName, grainId, grainState, [], exists: false);
    }

    /// <summary>Writes reminder rows through the same single writer as the states (the store allows only one).</summary>
    internal async Task CommitRemindersAsync(IReadOnlyList<ReminderWrite> reminders)
    {
        await _queue.EnqueueAsync(new QueuedWrite(null, 0, [], [], [], reminders)).ConfigureAwait(false);
    }

    /// <summary>Lets the queued writes finish, then closes the store this provider was given (it owns it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, byte[] payload, bool exists)
    {
        var key = KeyOf(stateName, grainId);
        var expected = grainState.ETag is { Length: > 0 } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : 0;

        // Orleans calls a provider on the activation's scheduler, so the current context is the writer's own.
        var context = _contexts.GrainContext is { } current && current.GrainId == grainId ? current : null;
        var (events, indexes, changes) = context?.StagedWritesIfAny()?.Drain() ?? ([], [], []);
        IReadOnlyList<ReminderWrite> reminders = changes.Count == 0 ? [] : [.. changes.Select(c => c.Remove
            ? new ReminderWrite(KeyOf(DefaultStateName, grainId), c.Name, ReminderWriteKind.Delete, default, null, null)
            : new ReminderWrite(KeyOf(DefaultStateName, grainId), c.Name, ReminderWriteKind.Upsert, c.DueAt, c.Period, null))];

        WriteOutcome outcome;
        try
        {
            var queued = _queue.EnqueueAsync(new QueuedWrite(key, expected, payload, events, indexes, reminders));
            WriteQueued?.Invoke(key);
            outcome = await queued.ConfigureAwait(true);
        }
        catch (GrainStorageCommitException ex)
        {
            context?.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, ex, "Its state write failed to commit: reload from storage."));
            throw;
        }

        if (outcome == WriteOutcome.VersionConflict)
        {
            var conflict = new InconsistentStateException($"The state of {grainId} was written by another activation (this one read version {expected}); this activation is stale.", storedEtag: "unknown", currentEtag: grainState.ETag ?? "");
            context?.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, conflict, "Fenced out by a newer version of its state."));
            throw conflict;
        }

        grainState.ETag = (expected + 1).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = exists;
    }
}
