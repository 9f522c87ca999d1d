using System.ComponentModel;
using System.Text.Json;

namespace PointsMall.Actors.Invocation;

/// <summary>
/// One unit of work for an activation: a grain method call, a timer tick, a reminder, a stream delivery.
/// It is at once the message, the node of the activation's queue (no per-call queue allocation) and
/// the holder of the reply, which the runtime releases only once the state the turn produced is durable.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class GrainCall
{
    private protected GrainCall()
    {
    }

    /// <summary>The grain interface method this call invokes, for errors, logs and metrics.</summary>
    public abstract string MethodName { get; }

    /// <summary>Next call in the activation's queue (intrusive FIFO, guarded by the activation's lock).</summary>
    internal GrainCall? Next { get; set; }

    /// <summary>Whether the call counts as use of the grain (timer ticks do not keep a grain active).</summary>
    internal virtual bool IsUserCall => true;

    /// <summary>Whether the caller waits for this call under the call timeout (the watchdog fails it when late).</summary>
    internal virtual bool TimesOut => false;

    /// <summary>When the call was dispatched (<see cref="TimeProvider.GetTimestamp"/> of the runtime's clock).</summary>
    internal long DispatchedAt { get; set; }

    /// <summary>The caller was already told it timed out; a queued call that is abandoned is not run.</summary>
    internal bool Abandoned { get; set; }

    /// <summary>While the reply waits for durability: the batch it waits for.</summary>
    internal Runtime.PendingBatch? HeldBatch { get; set; }

    /// <summary>While the reply waits for durability: the exception the turn threw, if it threw.</summary>
    internal Exception? HeldError { get; set; }

    /// <summary>Runs after the grain code succeeded and before the turn's writes are flushed.</summary>
    internal virtual void OnTurnSucceeded(Runtime.ActivationData activation)
    {
    }

    /// <summary>Runs the grain code. Synchronous exceptions come back as a faulted task.</summary>
    internal abstract Task StartAsync(object grain);

    /// <summary>Sends the result of the completed <see cref="StartAsync"/> task to the caller.</summary>
    internal abstract void Complete();

    /// <summary>Fails the caller.</summary>
    internal abstract void Fail(Exception exception);
}

/// <summary>Base of the generated request types for grain methods that return <see cref="Task{TResult}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class GrainRequest<TGrain, TResult> : GrainCall
    where TGrain : IGrain
{
    private readonly TaskCompletionSource<TResult> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<TResult>? _running;

    protected GrainRequest()
    {
    }

    internal Task<TResult> Reply => _reply.Task;

    internal override bool TimesOut => true;

    /// <summary>Calls the grain method with this request's arguments (generated).</summary>
    protected abstract Task<TResult> InvokeAsync(TGrain grain);

    /// <summary>The method as the silo gateway knows it: name and parameter types (generated; see Remoting).</summary>
    protected abstract string RemoteMethodId { get; }

    /// <summary>Writes the arguments as one JSON array, for a call to a silo in another process (generated).</summary>
    protected abstract void WriteArguments(Utf8JsonWriter writer, JsonSerializerOptions options);

    // Internal doors for the remote client: generated overrides stay `protected` whichever assemblies see internals.
    internal string WireMethodId => RemoteMethodId;

    internal void WriteWireArguments(Utf8JsonWriter writer, JsonSerializerOptions options) => WriteArguments(writer, options);

    internal override Task StartAsync(object grain)
    {
        try
        {
            return _running = InvokeAsync((TGrain)grain);
        }
#pragma warning disable CA1031 // Whatever the grain throws belongs to its caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return _running = Task.FromException<TResult>(ex);
        }
    }

    internal override void Complete() => _reply.TrySetResult(_running!.Result);

    internal override void Fail(Exception exception) => _reply.TrySetException(exception);
}

/// <summary>Base of the generated request types for grain methods that return <see cref="Task"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class GrainRequest<TGrain> : GrainCall
    where TGrain : IGrain
{
    private readonly TaskCompletionSource _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected GrainRequest()
    {
    }

    internal Task Reply => _reply.Task;

    internal override bool TimesOut => true;

    /// <summary>Calls the grain method with this request's arguments (generated).</summary>
    protected abstract Task InvokeAsync(TGrain grain);

    /// <summary>The method as the silo gateway knows it: name and parameter types (generated; see Remoting).</summary>
    protected abstract string RemoteMethodId { get; }

    /// <summary>Writes the arguments as one JSON array, for a call to a silo in another process (generated).</summary>
    protected abstract void WriteArguments(Utf8JsonWriter writer, JsonSerializerOptions options);

    // Internal doors for the remote client: generated overrides stay `protected` whichever assemblies see internals.
    internal string WireMethodId => RemoteMethodId;

    internal void WriteWireArguments(Utf8JsonWriter writer, JsonSerializerOptions options) => WriteArguments(writer, options);

    internal override Task StartAsync(object grain)
    {
        try
        {
            return InvokeAsync((TGrain)grain);
        }
#pragma warning disable CA1031 // Whatever the grain throws belongs to its caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException(ex);
        }
    }

    internal override void Complete() => _reply.TrySetResult();

    internal override void Fail(Exception exception) => _reply.TrySetException(exception);
}
