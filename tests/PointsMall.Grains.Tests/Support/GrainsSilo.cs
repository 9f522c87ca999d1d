using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Storage.Sqlite;
using PointsMall.Testing;

namespace PointsMall.Grains.Tests.Support;

/// <summary>
/// A silo hosting every PointsMall grain over a real SQLite file, with a manual clock. Start another one on the
/// same <see cref="DatabasePath"/> to test what survives a restart.
/// </summary>
public sealed class GrainsSilo : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _stopped;

    private GrainsSilo(ServiceProvider services, string databasePath, ManualTimeProvider time)
    {
        _services = services;
        DatabasePath = databasePath;
        Time = time;
        Silo = services.GetRequiredService<Silo>();
    }

    public Silo Silo { get; }

    public IGrainFactory Grains => Silo.GrainFactory;

    public ManualTimeProvider Time { get; }

    public string DatabasePath { get; }

    public IServiceProvider Services => _services;

    /// <summary>Starts a silo on <paramref name="databasePath"/> (a new temp file when null).</summary>
    public static async Task<GrainsSilo> StartAsync(string? databasePath = null, ManualTimeProvider? time = null, Action<SiloBuilder>? configure = null)
    {
        databasePath ??= Path.Combine(Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"), "grains.db");
        time ??= new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 2, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddSilo()
            .UseStore(_ => new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = databasePath }))
            .AddPointsMallGrains();
        configure?.Invoke(builder);
        var silo = new GrainsSilo(services.BuildServiceProvider(), databasePath, time);
        await silo.Silo.StartAsync(CancellationToken.None);
        return silo;
    }

    public T Grain<T>(string key)
        where T : IGrain
        => Grains.GetGrain<T>(key);

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Silo.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
