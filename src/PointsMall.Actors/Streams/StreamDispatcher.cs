using Microsoft.Extensions.Logging;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors.Runtime;

/// <summary>
/// Delivers committed outbox events to subscriptions: in order per stream, at least once, with a durable
/// checkpoint per subscription.
/// </summary>
/// <remarks>
/// Each subscription reads the outbox in sequence order a page at a time, delivers the page's events
/// stream by stream (one stream's events one after another, different streams concurrently), and only then
/// records the page's last sequence as its checkpoint. A crash redelivers at most the page in progress.
/// The committer wakes the readers after every batch that carried events, so there is no polling delay.
/// A page with nothing for a subscription is not checkpointed each time (a checkpoint is a storage write of its
/// own): only every <see cref="IdleCheckpointDistance"/> events, so a restart re-reads at most that many
/// events it skips anyway.
/// </remarks>
internal sealed partial class StreamDispatcher(GrainRuntime runtime, IReadOnlyList<StreamSubscriptionDefinition> subscriptions, ILogger<StreamDispatcher> logger) : IDisposable
{
    /// <summary>How far a subscription may read past its checkpoint over events that are not for it.</summary>
    internal const long IdleCheckpointDistance = 8_192;

    private TaskCompletionSource _newEvents = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _loops = subscriptions.Select(s => Task.Run(() => RunAsync(s, token), CancellationToken.None)).ToArray();
    }

    public void OnCommitted() => Interlocked.Exchange(ref _newEvents, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task StopAsync()
    {
        var stopping = Interlocked.Exchange(ref _stopping, null);
        if (stopping is null)
        {
            return;
        }

        // Graceful: a loop finishes the page it is delivering, checkpoint included, before it sees the stop.
        await stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops)
            .WaitAsync(runtime.Options.ShutdownTimeout, runtime.Time)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        stopping.Dispose();
    }

    public void Dispose() => _stopping?.Dispose();

    private async Task RunAsync(StreamSubscriptionDefinition subscription, CancellationToken cancellationToken)
    {
        var prefix = subscription.Namespace + "/";
        long position = -1;
        long checkpointed = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (position < 0)
                {
                    position = await runtime.Store.ReadCheckpointAsync(subscription.Name, CancellationToken.None).ConfigureAwait(false);
                    checkpointed = position;
                }

                // Take the wake-up signal before reading, so an event committed after the read still wakes us.
                var wakeUp = Volatile.Read(ref _newEvents).Task;
                var page = await runtime.Store.ReadEventsAsync(position, runtime.Options.StreamPageSize, CancellationToken.None).ConfigureAwait(false);
                if (page.Count == 0)
                {
                    await wakeUp.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var streams = page
                    .Where(e => e.Stream.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(e => new StreamEvent(e.Sequence, StreamId.Parse(e.Stream), e.EventType, e.Payload, e.Timestamp))
                    .GroupBy(e => e.Stream)
                    .ToList();
                await Task.WhenAll(streams.Select(s => DeliverInOrderAsync(subscription, s, cancellationToken))).ConfigureAwait(false);
                position = page[^1].Sequence;
                if (streams.Count > 0 || position - checkpointed >= IdleCheckpointDistance)
                {
                    await runtime.Store.WriteCheckpointAsync(subscription.Name, position, CancellationToken.None).ConfigureAwait(false);
                    checkpointed = position;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Storage trouble: back off and carry on from the last checkpoint.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogReadFailed(logger, ex, subscription.Name);
                position = -1;
                await DelayAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DeliverInOrderAsync(StreamSubscriptionDefinition subscription, IEnumerable<StreamEvent> events, CancellationToken cancellationToken)
    {
        foreach (var streamEvent in events)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await subscription.Handler(runtime.Services, streamEvent, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failing handler is retried, then the event is logged as poison and skipped.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (attempt >= runtime.Options.StreamMaxDeliveryAttempts)
                    {
                        LogPoison(logger, ex, streamEvent.Sequence, streamEvent.Stream, subscription.Name, attempt);
                        break;
                    }

                    LogDeliveryRetry(logger, ex, streamEvent.Sequence, subscription.Name, attempt);
                    await DelayAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private Task DelayAsync(CancellationToken cancellationToken)
        => Task.Delay(runtime.Options.StreamRetryDelay, runtime.Time, cancellationToken)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(EventId = 150, Level = LogLevel.Error, Message = "Subscription {Subscription} could not read the outbox; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string subscription);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Delivery of event {Sequence} to {Subscription} failed (attempt {Attempt}); retrying")]
    private static partial void LogDeliveryRetry(ILogger logger, Exception exception, long sequence, string subscription, int attempt);

    [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "Event {Sequence} on {Stream} failed {Attempts} times in {Subscription}; skipped as poison")]
    private static partial void LogPoison(ILogger logger, Exception exception, long sequence, StreamId stream, string subscription, int attempts);
}
