using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Tests.Catalog;

/// <summary>
/// A test subscription that collects the events of type <typeparamref name="TEvent"/> on a stream namespace and
/// lets a test wait for a condition over them, instead of sleeping. Stream delivery is asynchronous, so this is
/// how a test knows a grain's published (and therefore durable) change has happened.
/// </summary>
public sealed class StreamProbe<TEvent>
    where TEvent : class
{
    private readonly Lock _lock = new();
    private readonly List<TEvent> _seen = [];
    private readonly List<(Func<IReadOnlyList<TEvent>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<TEvent> Seen
    {
        get
        {
            lock (_lock)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>Adds the probe's subscription for events of type <typeparamref name="TEvent"/> (use inside <c>GrainsSilo.StartAsync(configure: …)</c>).</summary>
    public void Subscribe(ISiloBuilder silo, string streamNamespace)
        => Subscribe(silo, streamNamespace, e => e.Is<TEvent>() ? e.Deserialize<TEvent>() : null);

    /// <summary>Adds the probe's subscription, keeping what <paramref name="select"/> makes of each event (null: ignored).</summary>
    public void Subscribe(ISiloBuilder silo, string streamNamespace, Func<StreamEvent, TEvent?> select)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddOutboxSubscription($"test-probe-{streamNamespace}-{Guid.NewGuid():n}", streamNamespace, (_, e, _) =>
        {
            if (select(e) is { } selected)
            {
                Add(selected);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the events seen so far.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<TEvent>, bool> condition, string what, int timeoutSeconds = 30)
    {
        Task wait;
        lock (_lock)
        {
            if (condition(_seen))
            {
                return;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            wait = done.Task;
        }

        try
        {
            await wait.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeoutSeconds}s for {what}; saw {Seen.Count} {typeof(TEvent).Name} event(s): {string.Join(", ", Seen)}");
        }
    }

    private void Add(TEvent streamEvent)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            _seen.Add(streamEvent);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_seen))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        done.ForEach(d => d.TrySetResult());
    }
}
