using Microsoft.Extensions.Logging;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// Delivers committed outbox events to their subscriptions: in order per stream, at least once, with a durable
/// checkpoint per subscription. Runs in the silo from application start to stop.
/// </summary>
/// <remarks>
/// Design note. Each subscription reads the outbox in sequence order a page at a time, delivers the page's events
/// stream by stream (one stream's events one after another, different streams concurrently), and only then records
/// the page's last sequence as its checkpoint, so a crash redelivers at most the page in progress. The storage wakes
/// the readers after every commit that carried events, so there is no polling delay. A page with nothing for a
/// subscription is checkpointed only every <see cref="IdleCheckpointDistance"/> events (a checkpoint is a write of
/// its own), so a restart re-reads at most that many events it skips anyway.
/// </remarks>
internal sealed partial class OutboxDispatcher(
    GroupCommitGrainStorage storage,
    IReadOnlyList<OutboxSubscription> subscriptions,
    OutboxOptions options,
    IServiceProvider services,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How far a subscription may read past its checkpoint over events that are not for it.</summary>
    internal const long IdleCheckpointDistance = 8_192;

    private TaskCompletionSource _newEvents = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];

    private IGrainStore Store => storage.Store;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(OutboxDispatcher), ServiceLifecycleStage.Active, _ => Start(), StopAsync);
    }

    public void Dispose() => _stopping?.Dispose();

    private Task Start()
    {
        storage.EventsCommitted += OnCommitted;
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _loops = [.. subscriptions.Select(s => Task.Run(() => RunAsync(s, token), CancellationToken.None))];
        return Task.CompletedTask;
    }

    private void OnCommitted() => Interlocked.Exchange(ref _newEvents, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        storage.EventsCommitted -= OnCommitted;
        var stopping = Interlocked.Exchange(ref _stopping, null);
        if (stopping is null)
        {
            return;
        }

        // Graceful: a loop finishes the page it is delivering, checkpoint included, before it sees the stop.
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(options.ShutdownTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopTimedOut(logger, options.ShutdownTimeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopTimedOut(logger, options.ShutdownTimeout);
        }
        finally
        {
            stopping.Dispose();
        }
    }

    private async Task RunAsync(OutboxSubscription subscription, CancellationToken cancellationToken)
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
                    position = await Store.ReadCheckpointAsync(subscription.Name, CancellationToken.None).ConfigureAwait(false);
                    checkpointed = position;
                }

                // Take the wake-up signal before reading, so an event committed after the read still wakes us.
                var wakeUp = Volatile.Read(ref _newEvents).Task;
                var page = await Store.ReadEventsAsync(position, options.PageSize, CancellationToken.None).ConfigureAwait(false);
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
                    await Store.WriteCheckpointAsync(subscription.Name, position, CancellationToken.None).ConfigureAwait(false);
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

    private async Task DeliverInOrderAsync(OutboxSubscription subscription, IEnumerable<StreamEvent> events, CancellationToken cancellationToken)
    {
        foreach (var streamEvent in events)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await subscription.Handler(services, streamEvent, cancellationToken).ConfigureAwait(false);
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
                    if (attempt >= options.MaxDeliveryAttempts)
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
        => Task.Delay(options.RetryDelay, time, cancellationToken)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(EventId = 150, Level = LogLevel.Error, Message = "Subscription {Subscription} could not read the outbox; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string subscription);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Delivery of event {Sequence} to {Subscription} failed (attempt {Attempt}); retrying")]
    private static partial void LogDeliveryRetry(ILogger logger, Exception exception, long sequence, string subscription, int attempt);

    [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "Event {Sequence} on {Stream} failed {Attempts} times in {Subscription}; skipped as poison")]
    private static partial void LogPoison(ILogger logger, Exception exception, long sequence, StreamId stream, string subscription, int attempts);

    [LoggerMessage(EventId = 153, Level = LogLevel.Warning, Message = "The outbox readers did not stop within {Timeout}; the pages in progress are redelivered after the restart")]
    private static partial void LogStopTimedOut(ILogger logger, TimeSpan timeout);
}
