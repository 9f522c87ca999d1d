using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PointsMall.Testing;

namespace PointsMall.OrleansAdoNet.Tests;

/// <summary>A silo in this process on ports of its own, with Orleans' ADO.NET providers as the test configures them.</summary>
internal sealed class AdoNetSilo : IAsyncDisposable
{
    public const string StorageName = "adonet";

    private readonly IHost _host;

    private AdoNetSilo(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _host.Services;

    public static async Task<AdoNetSilo> StartAsync(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePorts.Next(), FreePorts.Next());
            configure(silo);
        });
        var silo = new AdoNetSilo(builder.Build());
        await silo._host.StartAsync();
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
