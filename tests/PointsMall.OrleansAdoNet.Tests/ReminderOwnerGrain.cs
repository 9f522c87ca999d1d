namespace PointsMall.OrleansAdoNet.Tests;

[Alias("reminder-owner")]
public interface IReminderOwnerGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task RegisterAsync(string name, TimeSpan period);

    [Alias("unregister")]
    Task UnregisterAsync(string name);

    [Alias("names")]
    Task<string[]> NamesAsync();
}

[GrainType("reminder-owner")]
public sealed class ReminderOwnerGrain : Grain, IReminderOwnerGrain, IRemindable
{
    // Registered an hour ahead: the test reads the rows, it never waits for a tick.
    public Task RegisterAsync(string name, TimeSpan period) => this.RegisterOrUpdateReminder(name, period, period);

    public async Task UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task<string[]> NamesAsync() => (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal).ToArray();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
