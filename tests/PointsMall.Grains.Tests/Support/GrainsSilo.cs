using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.TestingHost;
using PointsMall.Contracts.Common;
using PointsMall.GroupCommit;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;

namespace PointsMall.Grains.Tests.Support;

/// <summary>
/// An Orleans silo (Orleans' in-process test cluster) hosting every PointsMall grain over a real SQLite file, with a
/// manual grain clock. Start another one on the same <see cref="DatabasePath"/> to test what survives a restart.
/// </summary>
public sealed class GrainsSilo : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private bool _stopped;

    private GrainsSilo(InProcessTestCluster cluster, string databasePath, FakeTimeProvider time)
    {
        _cluster = cluster;
        DatabasePath = databasePath;
        Time = time;
    }

    /// <summary>A client of the silo: calls from it are calls from outside, as the API makes them.</summary>
    public IGrainFactory Grains => _cluster.Client;

    /// <summary>The grains' clock (Orleans itself runs on the system clock).</summary>
    public FakeTimeProvider Time { get; }

    public string DatabasePath { get; }

    /// <summary>The silo's services.</summary>
    public IServiceProvider Services => _cluster.GetSiloServiceProvider();

    /// <summary>The store under the grain storage.</summary>
    public IGrainStore Store => ((GroupCommitGrainStorage)Services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(GrainStorage.Name)).Store;

    /// <summary>
    /// Starts a silo on <paramref name="databasePath"/> (a new temp file when null). <paramref name="store"/> wraps or
    /// replaces the SQLite store on that path; <paramref name="configure"/> adds to the silo (services, subscriptions).
    /// </summary>
    public static async Task<GrainsSilo> StartAsync(
        string? databasePath = null,
        FakeTimeProvider? time = null,
        Action<ISiloBuilder>? configure = null,
        Func<IGrainStore, IGrainStore>? store = null)
    {
        databasePath ??= Path.Combine(Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"), "grains.db");
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero));
        var path = databasePath;
        var clock = time;
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, clock);

            // Reminder rows hold the grains' (manual) time, long past on the system clock Orleans ticks on: a one-shot
            // retry period of an hour keeps Orleans from delivering them during a test; tests deliver them instead.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromHours(1));
            configure?.Invoke(silo);
            silo.AddPointsMall(_ =>
            {
                IGrainStore sqlite = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = path });
                return store is null ? sqlite : store(sqlite);
            });
        });
        builder.ConfigureClient(client => client.Services.AddSerializer(s => s.AddPointsMallWire()));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainsSilo(cluster, databasePath, time);
    }

    public T Grain<T>(string key)
        where T : IGrainWithStringKey
        => Grains.GetGrain<T>(key);

    /// <summary>
    /// Delivers the reminder <paramref name="name"/> of <paramref name="grain"/> as Orleans' reminder service does, after
    /// checking the grain has it set (in the store's reminder rows). Tests move the grain clock past the due time first.
    /// </summary>
    public async Task FireReminderAsync(IGrainWithStringKey grain, string name)
    {
        ArgumentNullException.ThrowIfNull(grain);
        var id = grain.GetGrainId();
        var reminders = await Store.ReadRemindersAsync(new StateKey(id.Type.ToString()!, id.Key.ToString()!), CancellationToken.None);
        if (reminders.FirstOrDefault(r => r.Name == name) is not { } reminder)
        {
            throw new InvalidOperationException($"{id} has no reminder '{name}' set (it has: {string.Join(", ", reminders.Select(r => r.Name))}).");
        }

        var now = DateTime.UtcNow;
        await grain.AsReference<IRemindable>().ReceiveReminder(name, new TickStatus(reminder.DueAt.UtcDateTime, reminder.Period ?? TimeSpan.FromMinutes(1), now));
    }

    /// <summary>Whether the grain has an activation in the silo now (Orleans' management view).</summary>
    public async Task<bool> IsActiveAsync(IGrainWithStringKey grain)
    {
        ArgumentNullException.ThrowIfNull(grain);
        var id = grain.GetGrainId();
        var active = await Grains.GetGrain<IManagementGrain>(0).GetActiveGrains(id.Type);
        return active.Contains(id);
    }

    /// <summary>
    /// Waits until the grain has left memory. Orleans deactivates an idle activation asynchronously after the turn that
    /// asked for it, so this asks the management view until it says so (a bounded wait with a message, not a sleep).
    /// </summary>
    public async Task WhenDeactivatedAsync(IGrainWithStringKey grain)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await IsActiveAsync(grain))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 30 s for {grain.GetGrainId()} to be deactivated.");
            }

            // Paced, not spun: on two cores a busy loop of management calls would starve the deactivation it waits for.
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _cluster.StopAllSilosAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _cluster.DisposeAsync();
    }
}
