using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors.Hosting;
using PointsMall.Storage;
using PointsMall.Actors.Tests.Grains;

namespace PointsMall.Actors.Tests.Support;

/// <summary>A silo started in the test process over a given store, with the test grains and a probe.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _stopped;

    private TestSilo(ServiceProvider services)
    {
        _services = services;
        Silo = services.GetRequiredService<Silo>();
        Probe = services.GetRequiredService<Probe>();
    }

    public Silo Silo { get; }

    public Probe Probe { get; }

    public IGrainFactory Grains => Silo.GrainFactory;

    public IServiceProvider Services => _services;

    public static async Task<TestSilo> StartAsync(
        IGrainStore store,
        TimeProvider? time = null,
        Action<SiloOptions>? options = null,
        Action<SiloBuilder>? configure = null,
        Probe? probe = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(probe ?? new Probe());
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var builder = services.AddSilo(options).UseStore(_ => store).AddTestGrains();
        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        var silo = new TestSilo(provider);
        await silo.Silo.StartAsync(CancellationToken.None);
        return silo;
    }

    public T Grain<T>(string key)
        where T : IGrain
        => Grains.GetGrain<T>(key);

    /// <summary>Stops gracefully: queued calls run, activations deactivate, writes drain.</summary>
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

/// <summary>Real stores in throw-away places.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS temp cleaner gets it.
        }
    }
}
