namespace PointsMall.GroupCommit.Tests.Support;

/// <summary>Bounded waits whose timeouts say what was awaited.</summary>
public static class Waits
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    public static async Task For(Task task, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
        }
    }

    public static async Task<T> For<T>(Task<T> task, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(task);
        await For((Task)task, timeout, what);
        return await task;
    }

    public static Task<T> For<T>(Task<T> task, string what) => For(task, Default, what);

    public static Task For(Task task, string what) => For(task, Default, what);
}
