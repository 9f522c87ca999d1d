namespace PointsMall.GroupCommit.Tests.Support;

/// <summary>
/// What the test grains report from inside the silo (a write queued, a change made, a read taken, callers inside a
/// change at once), and waits on those reports: tests synchronise on what happened, never on time.
/// </summary>
public sealed class Probe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<(string Kind, string Key, long Value)> _seen = [];
    private readonly List<(Func<List<(string Kind, string Key, long Value)>, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private int _maxInside;

    public int MaxInside => Volatile.Read(ref _maxInside);

    public void Queued(string key) => Report("queued", key, 0);

    public void Changed(string key, long value) => Report("changed", key, value);

    public void Read(string key, long value) => Report("read", key, value);

    /// <summary>An outbox event delivered to the test subscription (value: its sequence number).</summary>
    public void Delivered(string key, long sequence) => Report("delivered", key, sequence);

    /// <summary>A reminder received by a test grain.</summary>
    public void Reminded(string key) => Report("reminded", key, 0);

    /// <summary>The sequence numbers delivered for <paramref name="key"/>'s stream, in delivery order.</summary>
    public IReadOnlyList<long> DeliveriesOf(string key)
    {
        lock (_lock)
        {
            return [.. _seen.Where(e => e.Kind == "delivered" && e.Key == key).Select(e => e.Value)];
        }
    }

    public Task WhenDeliveredAsync(string key, int events) =>
        WhenAsync(seen => seen.Count(e => e.Kind == "delivered" && e.Key == key) >= events, $"{events} outbox event(s) of stream '{key}' to reach the subscription");

    public Task WhenRemindedAsync(string key) => WhenAsync(seen => seen.Any(e => e.Kind == "reminded" && e.Key == key), $"grain '{key}' to receive its reminder");

    public void Inside(int callers)
    {
        int seen;
        while (callers > (seen = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, callers, seen) != seen)
        {
        }
    }

    /// <summary>Completes once <paramref name="writes"/> state writes of the grain have joined the commit queue in all.</summary>
    public Task WhenQueuedAsync(string key, int writes) =>
        WhenAsync(seen => seen.Count(e => e.Kind == "queued" && e.Key == key) >= writes, $"{writes} state write(s) of grain '{key}' to join the commit queue");

    public Task WhenChangedAsync(string key, long value) =>
        WhenAsync(seen => seen.Any(e => e.Kind == "changed" && e.Key == key && e.Value == value), $"hot counter '{key}' to reach {value} in memory");

    public Task WhenReadAsync(string key) => WhenAsync(seen => seen.Any(e => e.Kind == "read" && e.Key == key), $"a read of hot counter '{key}'");

    private void Report(string kind, string key, long value)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            _seen.Add((kind, key, value));
            _waiters.RemoveAll(w =>
            {
                if (!w.Condition(_seen))
                {
                    return false;
                }

                done.Add(w.Done);
                return true;
            });
        }

        done.ForEach(d => d.TrySetResult());
    }

    private Task WhenAsync(Func<List<(string Kind, string Key, long Value)>, bool> condition, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_seen))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return Waits.For(done.Task, Timeout, what);
    }
}
