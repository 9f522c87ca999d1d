using Microsoft.Extensions.Logging;
using PointsMall.Storage;

namespace PointsMall.GroupCommit.Outbox;

/// <summary>
/// Delivers committed outbox events to their subscriptions: in order per stream, at least once, with a durable
/// checkpoint per subscription, each subscription by one silo of the cluster at a time (the holder of its lease).
/// </summary>
/// <remarks>
/// Design note.
/// <para><b>Leases.</b> Every silo runs a dispatcher, but a subscription is delivered only by the holder of its lease, a
/// row in the store (holder, fencing token, expiry) taken and renewed with one conditional write. Per subscription a
/// lease loop asks for the lease every <see cref="OutboxOptions.RenewInterval"/>, each time until
/// <see cref="OutboxOptions.LeaseDuration"/> ahead: the holder renews it, the others take it once it has expired, so a
/// holder killed outright is replaced within the duration plus one interval. The first attempt is made at start, and a
/// holder that the cluster membership reports dead, or does not know although it started earlier (an earlier run of a
/// single silo), is superseded at once: a restarted embedded silo never waits for its own old lease. A graceful stop finishes the page in progress
/// and releases the lease, so another silo takes it at its next attempt.</para>
/// <para><b>Fencing.</b> The token changes with every change of holder, and the checkpoint write is refused unless it
/// presents the current one, so an ex-holder that was paused while another took over cannot move the checkpoint (it
/// may deliver a page twice, which at-least-once allows). A refused checkpoint, a refused renewal, or a renewal that kept
/// failing until the lease ran out ends the hold: the delivery in progress is cancelled, and whoever holds the lease
/// next starts from the checkpoint.</para>
/// <para><b>Delivery.</b> The holder reads the outbox in the store's outbox order (<see cref="IGrainStore.ReadEventsAsync"/>:
/// nothing committed later comes before what was read) a page at a time, through the silo's <see cref="OutboxTail"/> (so
/// subscriptions that keep up share one read of each page), delivers the page's events
/// stream by stream (one stream's events one after another, different streams concurrently), and only then records the
/// page's last sequence as its checkpoint, so a crash redelivers at most the page in progress. The silo's own commits
/// wake the reader at once; it also polls every <see cref="OutboxOptions.PollInterval"/>, for events committed by other
/// silos and for events a store held back because an older transaction was still open when it was read (PostgreSQL). A page with nothing for a subscription is checkpointed only every <see cref="IdleCheckpointDistance"/> events
/// (a checkpoint is a write of its own), so a restart re-reads at most that many events it skips anyway.</para>
/// <para><b>Why not a grain per subscription.</b> Orleans keeps one activation per grain only eventually across
/// membership changes (two can coexist while a silo is wrongly suspected), and it does not fence storage; the checkpoint
/// would need a token anyway, and the lease gives it with a bound on takeover that does not depend on reminder timing.</para>
/// </remarks>
internal sealed partial class OutboxDispatcher : IAsyncDisposable
{
    /// <summary>How far a subscription may read past its checkpoint over events that are not for it.</summary>
    internal const long IdleCheckpointDistance = 8_192;

    /// <summary>Pages of the outbox kept in memory for the subscriptions that keep up (<see cref="OutboxTail"/>).</summary>
    internal const int TailPages = 4;

    /// <summary>The lease of subscription <c>name</c> is <c>outbox/name</c>.</summary>
    internal const string LeasePrefix = "outbox/";

    private readonly IGrainStore _store;
    private readonly Func<string, bool> _isGone;
    private readonly IReadOnlyList<OutboxSubscription> _subscriptions;
    private readonly OutboxOptions _options;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OutboxTail _tail;
    private TaskCompletionSource _newEvents = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Subscriber[] _subscribers = [];

    /// <param name="holder">This dispatcher's lease holder id: unique to this run of this silo.</param>
    /// <param name="isGone">Whether a holder is known to be gone (dead, or unknown to the cluster): its lease is taken at once.</param>
    public OutboxDispatcher(
        IGrainStore store,
        string holder,
        Func<string, bool> isGone,
        IReadOnlyList<OutboxSubscription> subscriptions,
        OutboxOptions options,
        IServiceProvider services,
        TimeProvider time,
        ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (_store, Holder, _isGone, _subscriptions, _options, _services, _time, _logger) = (store, holder, isGone, subscriptions, options, services, time, logger);
        _tail = new OutboxTail(store, TailPages * options.PageSize);
    }

    /// <summary>This dispatcher's lease holder id.</summary>
    public string Holder { get; }

    /// <summary>
    /// What each subscription's loops do, as (subscription, what, value): <c>acquired</c> (token), <c>refused</c>, <c>lost</c>,
    /// <c>fenced</c> (the refused position), <c>checkpointed</c> (position), <c>idle</c> and <c>renewal-wait</c> (once the
    /// timer is set, so a test may move its clock), <c>released</c>. Tests synchronise on these.
    /// </summary>
    internal Action<string, string, long>? Observer { get; set; }

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _subscribers = [.. _subscriptions.Select(s => new Subscriber(this, s))];
        foreach (var subscriber in _subscribers)
        {
            subscriber.Start(token);
        }
    }

    /// <summary>New events were committed by this silo: readers waiting for events read at once.</summary>
    public void Wake() => Interlocked.Exchange(ref _newEvents, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopping = Interlocked.Exchange(ref _stopping, null);
        if (stopping is null)
        {
            return;
        }

        // Graceful: a loop finishes the page it is delivering, checkpoint included, before it sees the stop; then the
        // lease is released so another silo need not wait for it to expire.
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_subscribers.Select(s => s.StopAsync(cancellationToken)))
                .WaitAsync(_options.ShutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogStopTimedOut(_logger, _options.ShutdownTimeout);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopTimedOut(_logger, _options.ShutdownTimeout);
        }
        finally
        {
            stopping.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private void Report(OutboxSubscription subscription, string what, long value = 0) => Observer?.Invoke(subscription.Name, what, value);

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        => Task.Delay(delay, _time, cancellationToken)
            .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>One grant of a lease; revoked when the hold ends, which cancels the delivery under it.</summary>
    /// <remarks>Never disposed: its source has no timer, and the delivery loop may still look at it after the lease loop moved on.</remarks>
#pragma warning disable CA1001 // See the remarks: a source without a timer holds nothing that needs disposing.
    private sealed class Hold(long token)
#pragma warning restore CA1001
    {
        private readonly CancellationTokenSource _revoked = new();

        public long Token { get; } = token;

        public CancellationToken Revoked => _revoked.Token;

        public bool IsRevoked => _revoked.IsCancellationRequested;

        public void Revoke() => _revoked.Cancel();
    }

    /// <summary>One subscription: its lease loop and its delivery loop.</summary>
    private sealed class Subscriber(OutboxDispatcher owner, OutboxSubscription subscription)
    {
        private readonly string _lease = LeasePrefix + subscription.Name;
        private Hold? _hold;
        private TaskCompletionSource _holdChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _leasing = Task.CompletedTask;
        private Task _delivering = Task.CompletedTask;

        private IGrainStore Store => owner._store;

        private OutboxOptions Options => owner._options;

        public void Start(CancellationToken stopping)
        {
            _leasing = Task.Run(() => LeaseAsync(stopping), CancellationToken.None);
            _delivering = Task.Run(() => DeliverAsync(stopping), CancellationToken.None);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await Task.WhenAll(_leasing, _delivering).ConfigureAwait(false);
            if (EndHold() is { } hold)
            {
                try
                {
                    await Store.ReleaseLeaseAsync(_lease, owner.Holder, cancellationToken).ConfigureAwait(false);
                    owner.Report(subscription, "released", hold.Token);
                }
#pragma warning disable CA1031 // Best effort: an unreleased lease just expires.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogReleaseFailed(owner._logger, ex, subscription.Name);
                }
            }
        }

        private async Task LeaseAsync(CancellationToken stopping)
        {
            // Until when the lease surely runs by this silo's clock: the start of the last granted attempt plus the duration.
            var heldUntil = DateTimeOffset.MinValue;
            while (!stopping.IsCancellationRequested)
            {
                var now = owner._time.GetUtcNow();
                LeaseState? lease = null;
                try
                {
                    lease = await AcquireAsync(now).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Storage trouble: keep the hold while the lease surely runs, and try again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogLeaseFailed(owner._logger, ex, subscription.Name);
                }

                if (lease is not null && lease.IsHeldBy(owner.Holder))
                {
                    heldUntil = now + Options.LeaseDuration;
                    var current = Volatile.Read(ref _hold);
                    if (current is null || current.IsRevoked || current.Token != lease.Token)
                    {
                        // A new grant (or the same lease after someone else held it between): deliver from the checkpoint.
                        EndHold();
                        SetHold(new Hold(lease.Token));
                        LogAcquired(owner._logger, subscription.Name, owner.Holder, lease.Token);
                        owner.Report(subscription, "acquired", lease.Token);
                    }
                }
                else if (lease is not null || now >= heldUntil)
                {
                    if (EndHold() is { } ended)
                    {
                        LogLost(owner._logger, subscription.Name, lease?.Holder ?? "(unknown: the store did not answer)", ended.Token);
                        owner.Report(subscription, "lost", ended.Token);
                    }

                    owner.Report(subscription, "refused", lease?.Token ?? 0);
                }

                // While renewals fail, the next attempt is no later than the lease's end by this clock.
                var wait = Options.RenewInterval;
                if (lease is null && Volatile.Read(ref _hold) is not null && heldUntil - now < wait)
                {
                    wait = heldUntil > now ? heldUntil - now : TimeSpan.Zero;
                }

                var delay = owner.DelayAsync(wait, stopping);
                owner.Report(subscription, "renewal-wait");
                await delay.ConfigureAwait(false);
            }
        }

        private async Task<LeaseState> AcquireAsync(DateTimeOffset now)
        {
            var request = new LeaseRequest(_lease, owner.Holder, now, now + Options.LeaseDuration);
            var lease = await Store.AcquireLeaseAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (!lease.IsHeldBy(owner.Holder) && owner._isGone(lease.Holder))
            {
                // Superseding names the holder, so a holder that changed meanwhile is not taken over by mistake.
                LogSuperseding(owner._logger, subscription.Name, lease.Holder);
                lease = await Store.AcquireLeaseAsync(request with { Supersede = lease.Holder }, CancellationToken.None).ConfigureAwait(false);
            }

            return lease;
        }

        private void SetHold(Hold hold)
        {
            Volatile.Write(ref _hold, hold);
            Interlocked.Exchange(ref _holdChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        /// <summary>Ends the current hold, if any: its delivery is cancelled.</summary>
        private Hold? EndHold()
        {
            var hold = Interlocked.Exchange(ref _hold, null);
            hold?.Revoke();
            return hold;
        }

        private async Task<Hold> WaitForHoldAsync(CancellationToken stopping)
        {
            while (true)
            {
                // Take the signal before looking, so a grant made after the look still wakes us.
                var changed = Volatile.Read(ref _holdChanged).Task;
                if (Volatile.Read(ref _hold) is { IsRevoked: false } hold)
                {
                    return hold;
                }

                await changed.WaitAsync(stopping).ConfigureAwait(false);
            }
        }

        private async Task DeliverAsync(CancellationToken stopping)
        {
            while (!stopping.IsCancellationRequested)
            {
                Hold hold;
                try
                {
                    hold = await WaitForHoldAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    using var held = CancellationTokenSource.CreateLinkedTokenSource(stopping, hold.Revoked);
                    await DeliverWhileHeldAsync(hold, held.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested || hold.IsRevoked)
                {
                    // Stopping, or the hold ended: the next holder starts from the checkpoint.
                }
            }
        }

        private async Task DeliverWhileHeldAsync(Hold hold, CancellationToken cancellationToken)
        {
            var fence = new LeaseFence(_lease, owner.Holder, hold.Token);
            var prefix = subscription.Namespace + "/";
            long position = -1;
            long checkpointed = -1;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    if (position < 0)
                    {
                        position = await Store.ReadCheckpointAsync(subscription.Name, CancellationToken.None).ConfigureAwait(false);
                        checkpointed = position;
                    }

                    // Take the wake-up signal before reading, so an event committed after the read still wakes us.
                    var wakeUp = Volatile.Read(ref owner._newEvents).Task;
                    var page = await owner._tail.ReadAsync(position, Options.PageSize, wakeUp).ConfigureAwait(false);
                    if (page.Count == 0)
                    {
                        await IdleAsync(wakeUp, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var streams = page
                        .Where(e => e.Stream.StartsWith(prefix, StringComparison.Ordinal))
                        .Select(e => new StreamEvent(e.Sequence, StreamId.Parse(e.Stream), e.EventType, e.Payload, e.Timestamp))
                        .GroupBy(e => e.Stream)
                        .ToList();
                    if (subscription.BatchHandler is { } batch)
                    {
                        var events = streams.SelectMany(s => s).OrderBy(e => e.Sequence).ToList();
                        if (events.Count > 0)
                        {
                            await DeliverAsync(events[0], () => batch(owner._services, events, cancellationToken), cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        await Task.WhenAll(streams.Select(s => DeliverInOrderAsync(s, cancellationToken))).ConfigureAwait(false);
                    }
                    position = page[^1].Sequence;
                    if (streams.Count > 0 || position - checkpointed >= IdleCheckpointDistance)
                    {
                        if (!await Store.TryWriteCheckpointAsync(subscription.Name, position, fence, CancellationToken.None).ConfigureAwait(false))
                        {
                            LogFenced(owner._logger, subscription.Name, owner.Holder, hold.Token, position);
                            owner.Report(subscription, "fenced", position);
                            hold.Revoke();
                            return;
                        }

                        checkpointed = position;
                        owner.Report(subscription, "checkpointed", position);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // Storage trouble: back off and carry on from the last checkpoint.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogReadFailed(owner._logger, ex, subscription.Name);
                    position = -1;
                    await owner.DelayAsync(Options.RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Waits for this silo's next commit with events, or the poll interval (for other silos' commits).</summary>
        private async Task IdleAsync(Task wakeUp, CancellationToken cancellationToken)
        {
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var polled = owner.DelayAsync(Options.PollInterval, poll.Token);
            owner.Report(subscription, "idle");
            await Task.WhenAny(wakeUp, polled).ConfigureAwait(false);

            // Ends the poll timer when woken early (a busy silo wakes far more often than it polls).
            await poll.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        private async Task DeliverInOrderAsync(IEnumerable<StreamEvent> events, CancellationToken cancellationToken)
        {
            foreach (var streamEvent in events)
            {
                await DeliverAsync(streamEvent, () => subscription.Handler(owner._services, streamEvent, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Runs one delivery (of <paramref name="first"/>, or of a batch starting with it), retried, then logged as poison and skipped.</summary>
        private async Task DeliverAsync(StreamEvent first, Func<Task> deliver, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await deliver().ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failing handler is retried, then the event (or batch) is logged as poison and skipped.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (attempt >= Options.MaxDeliveryAttempts)
                    {
                        LogPoison(owner._logger, ex, first.Sequence, first.Stream, subscription.Name, attempt);
                        return;
                    }

                    LogDeliveryRetry(owner._logger, ex, first.Sequence, subscription.Name, attempt);
                    await owner.DelayAsync(Options.RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Error, Message = "Subscription {Subscription} could not read the outbox; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string subscription);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Delivery of event {Sequence} to {Subscription} failed (attempt {Attempt}); retrying")]
    private static partial void LogDeliveryRetry(ILogger logger, Exception exception, long sequence, string subscription, int attempt);

    [LoggerMessage(EventId = 152, Level = LogLevel.Error, Message = "Event {Sequence} on {Stream} failed {Attempts} times in {Subscription}; skipped as poison")]
    private static partial void LogPoison(ILogger logger, Exception exception, long sequence, StreamId stream, string subscription, int attempts);

    [LoggerMessage(EventId = 153, Level = LogLevel.Warning, Message = "The outbox readers did not stop within {Timeout}; the pages in progress are redelivered after the restart")]
    private static partial void LogStopTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 154, Level = LogLevel.Information, Message = "Subscription {Subscription} is delivered here ({Holder}, lease token {Token})")]
    private static partial void LogAcquired(ILogger logger, string subscription, string holder, long token);

    [LoggerMessage(EventId = 155, Level = LogLevel.Warning, Message = "Subscription {Subscription} lost its lease (token {Token}) to {Holder}; delivery stops here")]
    private static partial void LogLost(ILogger logger, string subscription, string holder, long token);

    [LoggerMessage(EventId = 156, Level = LogLevel.Warning, Message = "Subscription {Subscription}: the checkpoint {Position} of {Holder} (lease token {Token}) was refused, another silo holds the lease; delivery stops here")]
    private static partial void LogFenced(ILogger logger, string subscription, string holder, long token, long position);

    [LoggerMessage(EventId = 157, Level = LogLevel.Warning, Message = "Subscription {Subscription} could not take or renew its lease; retrying")]
    private static partial void LogLeaseFailed(ILogger logger, Exception exception, string subscription);

    [LoggerMessage(EventId = 158, Level = LogLevel.Information, Message = "Subscription {Subscription}: taking the lease from {Holder}, which the cluster reports gone")]
    private static partial void LogSuperseding(ILogger logger, string subscription, string holder);

    [LoggerMessage(EventId = 159, Level = LogLevel.Warning, Message = "Subscription {Subscription} could not release its lease; it expires instead")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string subscription);
}
