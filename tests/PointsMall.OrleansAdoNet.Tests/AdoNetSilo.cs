using System.Net;
using Orleans.Configuration;
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

    /// <summary>A silo of its own one-silo cluster (localhost clustering).</summary>
    public static Task<AdoNetSilo> StartAsync(Action<ISiloBuilder> configure)
        => StartHostAsync(silo =>
        {
            silo.UseLocalhostClustering(FreePorts.Next(), FreePorts.Next());
            configure(silo);
        });

    /// <summary>A silo that joins <paramref name="clusterId"/> through the membership table in <paramref name="database"/>.</summary>
    public static Task<AdoNetSilo> JoinAsync(AdoNetDatabase database, string clusterId)
        => StartHostAsync(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePorts.Next(), FreePorts.Next());
            silo.UseAdoNetClusteringWithTables(database);
            silo.AddMemoryGrainStorage(StorageName);
        });

    private static async Task<AdoNetSilo> StartHostAsync(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.UseOrleans(configure);
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
