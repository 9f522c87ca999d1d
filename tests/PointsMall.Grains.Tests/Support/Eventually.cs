using System.Diagnostics;
using Xunit;

namespace PointsMall.Grains.Tests.Support;

/// <summary>
/// For what the outbox delivers a moment after the commits that publish it: reads until the condition holds, with a
/// deadline whose failure says what was awaited and what was last read.
/// </summary>
public static class Eventually
{
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        T value;
        while (!condition(value = await read()))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"Waited 30 s for {what}; last read: {value}");
            }

            // Paced, not spun: the delivery it waits for runs on the same two cores.
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        return value;
    }
}
