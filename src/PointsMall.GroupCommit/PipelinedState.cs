using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace PointsMall.GroupCommit;

/// <summary>
/// The state of a hot grain that keeps serving while its last write is in flight. The grain is <c>[Reentrant]</c>
/// and keeps "one change at a time" itself: each method changes <see cref="State"/> synchronously, before any await,
/// then awaits <see cref="CommitAsync"/> (a change) or <see cref="WhenDurableAsync"/> (a read) before it answers.
/// </summary>
public interface IPipelinedState<TState>
{
    /// <summary>The current state, changes not yet durable included.</summary>
    TState State { get; set; }

    /// <summary>Whether storage holds a record for this grain (as of the last read or completed write).</summary>
    bool RecordExists { get; }

    /// <summary>Events and index entries to commit with the next write.</summary>
    StagedWrites Staged { get; }

    /// <summary>
    /// Completes when a write holding every change made so far is durable. At most one write is in flight; calls
    /// made meanwhile share the next one, which starts when it completes and carries all their changes.
    /// </summary>
    Task CommitAsync();

    /// <summary>Completes when everything the state shows now is durable (at once when nothing is pending).</summary>
    Task WhenDurableAsync();
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPipelinedState{TState}"/>, like <c>[PersistentState]</c>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PipelinedStateAttribute(string stateName, string? storageName = null) : Attribute, IFacetMetadata, IPersistentStateConfiguration
{
    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName!;
}

/// <summary>Builds an <see cref="IPipelinedState{TState}"/> over Orleans' own persistent state for each activation.</summary>
internal sealed class PipelinedStateAttributeMapper : IAttributeToFactoryMapper<PipelinedStateAttribute>
{
    private static readonly MethodInfo CreateMethod = typeof(PipelinedStateAttributeMapper).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;

    public Factory<IGrainContext, object> GetFactory(ParameterInfo parameter, PipelinedStateAttribute metadata)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var type = parameter.ParameterType;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPipelinedState<>))
        {
            throw new InvalidOperationException($"[PipelinedState] goes on a parameter of type IPipelinedState<TState>, not {type} ({parameter.Member.DeclaringType}).");
        }

        var create = CreateMethod.MakeGenericMethod(type.GetGenericArguments()[0]).CreateDelegate<Func<IGrainContext, IPersistentStateConfiguration, object>>();
        return context => create(context, metadata);
    }

#pragma warning disable CA1859 // The factory delegate returns object, as Orleans' facet factories do.
    private static object Create<TState>(IGrainContext context, IPersistentStateConfiguration configuration)
    {
        // Orleans' factory reads the state before OnActivateAsync and handles migration, as for [PersistentState].
        var inner = context.ActivationServices.GetRequiredService<IPersistentStateFactory>().Create<TState>(context, configuration);
        var state = new PipelinedState<TState>(inner, context);
        if (context.GetComponent<ITurn>() is not null)
        {
            throw new InvalidOperationException($"{context.GrainId} has more than one [PipelinedState]: a call's turn commits one state.");
        }

        context.SetComponent<ITurn>(state);
        return state;
    }
#pragma warning restore CA1859
}

/// <summary>
/// The commit barrier. Design note: <c>_inFlight</c> is the write being made (null when none); <c>_next</c> collects
/// the callers whose changes arrived meanwhile and becomes the next write when the current one completes. Both are
/// touched only on the activation's scheduler. A failed write poisons the pipeline: the callers of that write and of
/// the next hear of it, every later call fails at once, and the activation is deactivated, so nothing built on the
/// failed change can become durable later and the next activation reloads what storage holds.
/// <para>
/// It is also the activation's turn (<see cref="ITurn"/>): <see cref="TurnCommitFilter"/> marks where a call starts,
/// puts the state and the staged writes back if the call throws, and commits what the call changed before its reply.
/// A write that starts mid-call (a saga's durability point) moves the point a throw goes back to: storage already
/// holds that state.
/// </para>
/// </summary>
internal sealed class PipelinedState<TState>(IPersistentState<TState> inner, IGrainContext context) : IPipelinedState<TState>, ITurn
{
    private Task? _inFlight;
    private TaskCompletionSource? _next;
    private Exception? _failure;
    private bool _dirty;
    private long _writesStarted;
    private long _turnsBegun;
    private TState _lastWritten = default!;

    public TState State
    {
        get => inner.State;
        set
        {
            inner.State = value;
            _dirty = true;
            TurnCall.Changed();
        }
    }

    public bool RecordExists => inner.RecordExists;

    public StagedWrites Staged => context.StagedWrites();

    public Task CommitAsync()
    {
        TurnCall.Synchronised();
        if (_failure is not null)
        {
            return Task.FromException(Refused());
        }

        if (!_dirty && context.StagedWritesIfAny() is not { IsEmpty: false })
        {
            // Nothing new since the last write began: what the caller saw is durable when that write is.
            return WhenDurableAsync();
        }

        if (_inFlight is not null)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }

        // Set before the write starts: it may complete synchronously, and the caller must get this write's task.
        var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inFlight = write.Task;
        _ = RunWritesAsync(write);
        return write.Task;
    }

    public Task WhenDurableAsync()
    {
        TurnCall.Synchronised();
        return _failure is not null ? Task.FromException(Refused()) : _next?.Task ?? _inFlight ?? Task.CompletedTask;
    }

    TurnMark ITurn.Begin() => new(++_turnsBegun, _writesStarted, inner.State, _dirty, Staged.Mark(), TurnCall.Start());

    void ITurn.Rollback(TurnMark mark)
    {
        if (!mark.Call.Dirty)
        {
            // The call changed nothing since it last synchronised: there is nothing of its own to take back.
            return;
        }

        if (mark.Turn != _turnsBegun)
        {
            // Other calls ran while this one waited (a reentrant grain), so going back to the mark would take their
            // changes too. Poison instead: nothing built on this half-made change may be written, and the next
            // activation reloads what storage holds.
            Poison(new InvalidOperationException($"A call to {context.GrainId} threw after changing its state while other calls interleaved."));
            return;
        }

        if (mark.WritesStarted == _writesStarted)
        {
            inner.State = (TState)mark.State!;
            _dirty = mark.Dirty;
        }
        else
        {
            inner.State = _lastWritten;
            _dirty = false;
        }

        Staged.RollbackTo(mark.Staged);
    }

    /// <summary>
    /// What the call's reply waits for: its own changes since it last synchronised (a reentrant grain's other calls
    /// may have changed the state meanwhile; their writes are theirs to wait for), or, when it changed nothing and never
    /// synchronised, everything it could have seen.
    /// </summary>
    Task ITurn.EndAsync(TurnMark mark) =>
        mark.Call.Dirty ? CommitAsync()
        : mark.Call.Synced ? Task.CompletedTask
        : WhenDurableAsync();

    private async Task RunWritesAsync(TaskCompletionSource write)
    {
        while (true)
        {
            try
            {
                _dirty = false;
                _writesStarted++;
                _lastWritten = inner.State;

                // Back on the activation's scheduler (never ConfigureAwait(false) here): the fields are the activation's.
                await inner.WriteStateAsync().ConfigureAwait(true);
            }
#pragma warning disable CA1031 // Every failure poisons the pipeline; the callers get the exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _inFlight = null;
                write.TrySetException(ex);
                Poison(ex);
                return;
            }

            write.TrySetResult();
            if (_next is null)
            {
                _inFlight = null;
                return;
            }

            // The changes made while that write was in flight: one write for all of them.
            write = _next;
            _next = null;
            _inFlight = write.Task;
        }
    }

    private void Poison(Exception failure)
    {
        _failure ??= failure;
        var next = _next;
        _next = null;
        next?.TrySetException(Refused());
        context.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, failure, "Its in-memory state can no longer be written: reload from storage."));
    }

    private GrainStorageCommitException Refused() =>
        new($"An earlier state write of {context.GrainId} failed; this activation is being deactivated and the next call reloads from storage.", _failure!);

}
