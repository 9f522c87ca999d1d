using System.Text.Json;
using Microsoft.Extensions.Logging;
using PointsMall.Actors.Invocation;
using PointsMall.Actors.Persistence;
using PointsMall.Storage;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// One activation of a grain: its queue of calls, its turn loop and the gate that holds replies until
/// the state they saw is durable.
/// </summary>
/// <remarks>
/// Design:
/// <list type="bullet">
/// <item>Calls are queued in arrival order on an intrusive list (the call object is the node) and run one at a
/// time by a loop that borrows a thread-pool thread while there is work and gives it back after a quantum.
/// The loop awaits each turn to its end, so turns never overlap, including across awaits.</item>
/// <item>At the end of a turn its changes go to the group committer, and the next turn starts at once: a hot
/// grain keeps working while its previous change is being written. Every reply (a read's too) is held until
/// the batch holding the last change the turn could have seen is durable; held replies are released in order
/// by one continuation per batch, not one per call.</item>
/// <item>When a batch fails or a write is fenced out, the committer marks the activation discarded with the
/// failed batch's number. Held replies waiting on that batch or a later one fail (they saw the lost change);
/// earlier ones succeed. The loop then deactivates, handing the calls still queued, in order, to a fresh
/// activation that reloads from storage.</item>
/// </list>
/// The queue, the held list and the status are guarded by <c>lock (this)</c>; fields touched by the
/// committer are guarded by its lock; everything else belongs to the turn loop.
/// </remarks>
internal sealed partial class ActivationData : IThreadPoolWorkItem
{
    private readonly GrainRuntime _runtime;
    private readonly GrainClass _class;
    private GrainCall? _head;
    private GrainCall? _tail;
    private GrainCall? _running;
    private GrainCall? _heldHead;
    private GrainCall? _heldTail;
    private PendingBatch? _watchedBatch;
    private Status _status;
    private bool _scheduled;
    private bool _inTurn;
    private long _lastUsedTicks;
    private DeactivationReason? _deactivationRequest;
    private volatile bool _discarded;
    private long _failedFromBatch = long.MaxValue;
    private Exception? _discardReason;
    private object? _grain;
    private IStateHolder? _state;
    private PendingBatch? _lastBatch;
    private List<EventAppend>? _turnEvents;
    private List<ReminderWrite>? _turnReminders;
    private List<IndexWrite>? _turnIndexes;
    private List<ActivationTimer>? _timers;

    public ActivationData(GrainRuntime runtime, GrainClass grainClass, GrainId id, GrainCall? initialQueue = null)
    {
        _runtime = runtime;
        _class = grainClass;
        Id = id;
        _lastUsedTicks = runtime.Time.GetUtcNow().UtcTicks;
        if (initialQueue is not null)
        {
            _head = initialQueue;
            _tail = initialQueue;
            while (_tail.Next is not null)
            {
                _tail = _tail.Next;
            }

            _scheduled = true;
        }
    }

    private enum Status : byte
    {
        Created,
        Active,
        Deactivating,
        Deactivated,
    }

    public GrainId Id { get; }

    public GrainRuntime Runtime => _runtime;

    /// <summary>The version the stored row will have once every write enqueued so far is durable (committer lock).</summary>
    public long EnqueuedVersion { get; set; }

    /// <summary>This activation's state write in the currently open batch, if any (committer lock).</summary>
    public PendingStateWrite? OpenWrite { get; set; }

    public bool IsDiscarded => _discarded;

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    /// <summary>Whether the activation has nothing queued or running (a snapshot, for the collector).</summary>
    public bool IsIdle
    {
        get
        {
            lock (this)
            {
                return !_scheduled && _head is null;
            }
        }
    }

    /// <summary>Starts the loop for an activation created with a queue (a replacement).</summary>
    public void Start() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <summary>Queues a call. False when the activation is gone; the caller looks the grain up again.</summary>
    public bool TryEnqueue(GrainCall call)
    {
        bool schedule;
        lock (this)
        {
            if (_status == Status.Deactivated)
            {
                return false;
            }

            if (_tail is null)
            {
                _head = call;
            }
            else
            {
                _tail.Next = call;
            }

            _tail = call;
            schedule = !_scheduled;
            _scheduled = true;
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return true;
    }

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        var turns = 0;
        while (true)
        {
            GrainCall? call;
            lock (this)
            {
                call = _head;
                if (call is null || _status == Status.Deactivated)
                {
                    _scheduled = false;
                    return;
                }

                _head = call.Next;
                if (_head is null)
                {
                    _tail = null;
                }

                call.Next = null;
                if (call.Abandoned)
                {
                    // Its caller has been told it timed out; running it now would only add to the backlog.
                    continue;
                }

                _running = call;
            }

            try
            {
                await ProcessAsync(call).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The loop must survive anything, or the activation would hang with calls queued.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFault(_runtime.Logger, ex, Id);
                call.Fail(ex);
            }

            lock (this)
            {
                _running = null;
            }

            if (++turns >= _runtime.Options.TurnsPerQuantum)
            {
                // Yield the thread so other activations are not starved by a hot one; _scheduled stays set.
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                return;
            }
        }
    }

    private async Task ProcessAsync(GrainCall call)
    {
        if (_status == Status.Created && !await ActivateAsync(call).ConfigureAwait(false))
        {
            return;
        }

        if (_discarded || _deactivationRequest is DeactivationReason.StateDiscarded or DeactivationReason.Requested)
        {
            await DeactivateAsync(_discarded ? DeactivationReason.StateDiscarded : _deactivationRequest!.Value, call).ConfigureAwait(false);
            return;
        }

        if (call is DeactivationCall deactivation)
        {
            if (deactivation.Reason is DeactivationReason.Idle or DeactivationReason.MemoryPressure && !IsStillUnused(deactivation))
            {
                deactivation.Complete();
                return;
            }

            await DeactivateAsync(deactivation.Reason, null).ConfigureAwait(false);
            deactivation.Complete();
            return;
        }

        await RunTurnAsync(call).ConfigureAwait(false);
    }

    private bool IsStillUnused(DeactivationCall deactivation)
    {
        lock (this)
        {
            return _head is null && LastUsedTicks <= deactivation.LastUsedTicksWhenRequested;
        }
    }

    private async Task<bool> ActivateAsync(GrainCall firstCall)
    {
        try
        {
            (_grain, _state) = _class.Create(_runtime.Services, this);
            if (_state is not null)
            {
                var stored = await _runtime.Store.ReadStateAsync(Id, CancellationToken.None).ConfigureAwait(false);
                _state.Load(stored);
                EnqueuedVersion = stored?.Version ?? 0;
            }

            ((Grain)_grain).Attach(this);
            _status = Status.Active;
            _state?.BeginTurn();
            _inTurn = true;
            try
            {
                await ((Grain)_grain).OnActivateAsync(CancellationToken.None).ConfigureAwait(false);
                EndTurn(null);
            }
            finally
            {
                _inTurn = false;
            }

            _runtime.Statistics.ActivationCreated();
            return true;
        }
#pragma warning disable CA1031 // Activation failures go to every waiting caller; the next call tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogActivationFailed(_runtime.Logger, ex, Id);
            var failure = new GrainRuntimeException($"Activation of {Id} failed: {ex.Message}", ex);
            DisposeTimers();
            GrainCall? rest;
            lock (this)
            {
                _status = Status.Deactivated;
                rest = TakeQueue();
                _runtime.Catalog.Remove(this);
            }

            firstCall.Fail(failure);
            for (var call = rest; call is not null;)
            {
                var next = call.Next;
                call.Next = null;
                call.Fail(failure);
                call = next;
            }

            return false;
        }
    }

    private async Task RunTurnAsync(GrainCall call)
    {
        _state?.BeginTurn();
        _inTurn = true;
        var task = call.StartAsync(_grain!);
        if (!task.IsCompleted)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Inspected below: the turn's exception is its caller's.
            catch
#pragma warning restore CA1031
            {
            }
        }

        _inTurn = false;
        Exception? error = null;
        if (task.IsCompletedSuccessfully)
        {
            call.OnTurnSucceeded(this);
        }
        else
        {
            error = task.Exception?.InnerException ?? new TaskCanceledException(task);
        }

        EndTurn(error);
        if (call.IsUserCall)
        {
            Volatile.Write(ref _lastUsedTicks, _runtime.Time.GetUtcNow().UtcTicks);
        }

        Reply(call, error);
    }

    /// <summary>Hands a successful turn's changes to the committer; discards a failed turn's changes.</summary>
    private void EndTurn(Exception? error)
    {
        if (error is not null)
        {
            _state?.Rollback();
            _turnEvents = null;
            _turnReminders = null;
            _turnIndexes = null;
            return;
        }

        var stateChanged = _state is { IsDirty: true };
        if (!stateChanged && _turnEvents is null && _turnReminders is null && _turnIndexes is null)
        {
            return;
        }

        // A null batch means the activation was discarded during the turn: the turn saw state that is being
        // thrown away, and the gate below fails its reply because _lastBatch is at or after the failed batch.
        _lastBatch = _runtime.Committer.Enqueue(this, stateChanged ? _state : null, _turnEvents, _turnReminders, _turnIndexes) ?? _lastBatch;
        _state?.MarkWritten();
        _turnEvents = null;
        _turnReminders = null;
        _turnIndexes = null;
    }

    /// <summary>Sends the reply now if everything the turn could see is durable, or holds it until it is.</summary>
    private void Reply(GrainCall call, Exception? error)
    {
        var batch = _lastBatch;
        if (!_discarded && (batch is null || batch.Succeeded))
        {
            Send(call, error, batch);
            return;
        }

        call.HeldBatch = batch;
        call.HeldError = error;
        bool watch;
        lock (this)
        {
            if (_heldTail is null)
            {
                _heldHead = call;
            }
            else
            {
                _heldTail.Next = call;
            }

            _heldTail = call;
            watch = batch is not null && !ReferenceEquals(_watchedBatch, batch);
            if (watch)
            {
                _watchedBatch = batch;
            }
        }

        if (watch)
        {
            batch!.Completion.ContinueWith(static (_, state) => ((ActivationData)state!).ReleaseHeld(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (batch is null || batch.Completion.IsCompleted)
        {
            ReleaseHeld();
        }
    }

    private void ReleaseHeld()
    {
        while (true)
        {
            GrainCall call;
            lock (this)
            {
                if (_heldHead is null || _heldHead.HeldBatch is { Completion.IsCompleted: false })
                {
                    return;
                }

                call = _heldHead;
                _heldHead = call.Next;
                if (_heldHead is null)
                {
                    _heldTail = null;
                }

                call.Next = null;
            }

            var batch = call.HeldBatch;
            var error = call.HeldError;
            call.HeldBatch = null;
            call.HeldError = null;
            Send(call, error, batch);
        }
    }

    private void Send(GrainCall call, Exception? error, PendingBatch? batch)
    {
        if (batch is { Completion.IsFaulted: true })
        {
            call.Fail(batch.Completion.Exception!.InnerException!);
        }
        else if (_discarded && (batch is null || batch.Number >= Volatile.Read(ref _failedFromBatch)))
        {
            call.Fail(_discardReason!);
        }
        else if (error is not null)
        {
            call.Fail(error);
        }
        else
        {
            call.Complete();
        }
    }

    /// <summary>
    /// Fails the calls of this activation that were dispatched before <paramref name="dispatchedBefore"/> and are
    /// still unanswered: queued (they will be skipped), running (the turn goes on; its reply is dropped), or held
    /// for durability.
    /// </summary>
    public void FailLateCalls(long dispatchedBefore, TimeSpan timeout)
    {
        List<GrainCall>? late = null;
        lock (this)
        {
            for (var call = _head; call is not null; call = call.Next)
            {
                if (call.TimesOut && !call.Abandoned && call.DispatchedAt <= dispatchedBefore)
                {
                    call.Abandoned = true;
                    (late ??= []).Add(call);
                }
            }

            if (_running is { TimesOut: true } running && running.DispatchedAt <= dispatchedBefore)
            {
                (late ??= []).Add(running);
            }

            for (var call = _heldHead; call is not null; call = call.Next)
            {
                if (call.TimesOut && call.DispatchedAt <= dispatchedBefore)
                {
                    (late ??= []).Add(call);
                }
            }
        }

        if (late is not null)
        {
            foreach (var call in late)
            {
                _runtime.Statistics.CallTimedOut(Id.Type);
                call.Fail(new GrainCallTimeoutException(Id, call.MethodName, timeout));
            }
        }
    }

    /// <summary>Called by the committer, under its lock, when a batch holding this activation's changes failed.</summary>
    public void MarkDiscarded(long batchNumber, Exception reason)
    {
        if (batchNumber < _failedFromBatch)
        {
            _failedFromBatch = batchNumber;
            _discardReason = reason;
        }

        _discarded = true;
    }

    /// <summary>Mid-turn durability point (<see cref="IPersistentState{TState}.WriteStateAsync"/>).</summary>
    public async Task WriteNowAsync(CancellationToken cancellationToken)
    {
        EnsureInTurn(nameof(IPersistentState<object>.WriteStateAsync));
        EndTurn(null);
        if (_lastBatch is { } batch)
        {
            await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_discarded)
        {
            throw _discardReason!;
        }
    }

    public void Publish<TEvent>(StreamId stream, TEvent @event)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(@event);
        EnsureInTurn(nameof(Publish));
        var payload = JsonSerializer.SerializeToUtf8Bytes(@event, GrainJson.Options);
        (_turnEvents ??= []).Add(new EventAppend(stream.ToString(), StreamEventTypes.NameOf(typeof(TEvent)), payload, _runtime.Time.GetUtcNow()));
    }

    /// <summary>Puts (or with a null entry removes) this grain's entry in an index, together with the rest of the turn.</summary>
    public void SetIndexEntry(string index, IndexEntry? entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        EnsureInTurn(entry is null ? "RemoveFromIndex" : "UpdateIndex");
        (_turnIndexes ??= []).Add(new IndexWrite(index, Id.Key, entry));
    }

    public void SetReminder(string name, DateTimeOffset dueAt, TimeSpan? period)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (period is { } p && p <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A reminder period must be positive.");
        }

        EnsureInTurn("RegisterOrUpdateReminder");
        if (_grain is not IRemindable)
        {
            throw new InvalidOperationException($"{_class.ClassType.Name} must implement IRemindable to set reminders.");
        }

        AddReminderWrite(new ReminderWrite(Id, name, ReminderWriteKind.Upsert, dueAt, period, null));
    }

    public void RemoveReminder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureInTurn("UnregisterReminder");
        AddReminderWrite(new ReminderWrite(Id, name, ReminderWriteKind.Delete, default, null, null));
    }

    /// <summary>Adds a reminder change to the current turn (the runtime's acknowledgements use it too).</summary>
    public void AddReminderWrite(ReminderWrite write) => (_turnReminders ??= []).Add(write);

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ActivationTimer(this, callback, dueTime, period);
        (_timers ??= []).Add(timer);
        return timer;
    }

    internal void RemoveTimer(ActivationTimer timer) => _timers?.Remove(timer);

    /// <summary>Asks the loop to deactivate at the next opportunity (queued behind the calls already waiting).</summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        if (reason is DeactivationReason.StateDiscarded or DeactivationReason.Requested)
        {
            _deactivationRequest = reason;
        }

        TryEnqueue(new DeactivationCall(reason, LastUsedTicks));
    }

    /// <summary>Queues a deactivation and returns a task that ends when it has run (or was skipped).</summary>
    public Task DeactivateForShutdownAsync()
    {
        var call = new DeactivationCall(DeactivationReason.Shutdown, LastUsedTicks);
        return TryEnqueue(call) ? call.Done : Task.CompletedTask;
    }

    private async Task DeactivateAsync(DeactivationReason reason, GrainCall? inHand)
    {
        lock (this)
        {
            _status = Status.Deactivating;
        }

        DisposeTimers();
        if (reason != DeactivationReason.StateDiscarded && _grain is Grain grain)
        {
            _state?.BeginTurn();
            _inTurn = true;
            Exception? error = null;
            try
            {
                await grain.OnDeactivateAsync(reason, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failing hook must not keep the activation alive.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
                LogDeactivationHookFailed(_runtime.Logger, ex, Id);
            }

            _inTurn = false;
            EndTurn(error);
        }

        // The next activation must not read storage before this one's writes are durable.
        if (_lastBatch is { } last)
        {
            await last.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        GrainCall? rest;
        lock (this)
        {
            _status = Status.Deactivated;
            rest = TakeQueue();
            if (inHand is not null)
            {
                inHand.Next = rest;
                rest = inHand;
            }

            rest = DropDeactivationCalls(rest);
            if (rest is not null && _runtime.IsAccepting)
            {
                // Calls that arrived meanwhile go, in order, to a fresh activation that takes this one's place.
                _runtime.Catalog.Replace(this, rest);
                rest = null;
            }
            else
            {
                _runtime.Catalog.Remove(this);
            }
        }

        for (var call = rest; call is not null;)
        {
            var next = call.Next;
            call.Next = null;
            call.Fail(new SiloUnavailableException($"{Id} was deactivated because the silo is stopping."));
            call = next;
        }

        _runtime.Statistics.ActivationRemoved(reason);
    }

    private static GrainCall? DropDeactivationCalls(GrainCall? list)
    {
        GrainCall? head = null;
        GrainCall? tail = null;
        for (var call = list; call is not null;)
        {
            var next = call.Next;
            call.Next = null;
            if (call is DeactivationCall deactivation)
            {
                deactivation.Complete();
            }
            else
            {
                if (tail is null)
                {
                    head = call;
                }
                else
                {
                    tail.Next = call;
                }

                tail = call;
            }

            call = next;
        }

        return head;
    }

    private GrainCall? TakeQueue()
    {
        var rest = _head;
        _head = null;
        _tail = null;
        return rest;
    }

    private void DisposeTimers()
    {
        if (_timers is null)
        {
            return;
        }

        foreach (var timer in _timers.ToList())
        {
            timer.Dispose();
        }

        _timers = null;
    }

    private void EnsureInTurn(string operation)
    {
        if (!_inTurn)
        {
            throw new InvalidOperationException($"{operation} must be called from inside a turn of {Id} (a grain method, timer tick or reminder), not from other threads.");
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Activation of {Grain} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grain);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "OnDeactivateAsync of {Grain} threw; the activation is dropped anyway")]
    private static partial void LogDeactivationHookFailed(ILogger logger, Exception exception, GrainId grain);

    [LoggerMessage(EventId = 112, Level = LogLevel.Critical, Message = "The turn loop of {Grain} faulted")]
    private static partial void LogLoopFault(ILogger logger, Exception exception, GrainId grain);
}
