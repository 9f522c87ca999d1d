using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PointsMall.Actors.Hosting;
using PointsMall.Actors.Remoting;
using PointsMall.Storage;
using PointsMall.Actors.Tests.Diagnostics;
using PointsMall.Actors.Tests.Support;

namespace PointsMall.Actors.Tests.Remoting;

/// <summary>
/// A silo with its gateway on real Kestrel (127.0.0.1, a free port), over an in-memory store that a test can
/// hold (<see cref="Gated"/>) or break (<see cref="Store"/>), and the HTTP protocols its calls arrived on.
/// </summary>
public sealed class RemoteSilo : IAsyncDisposable
{
    public const string Secret = "remote-test-secret";

    private readonly WebApplication _app;

    private RemoteSilo(WebApplication app, FailingStore store, GatedStore gated)
    {
        _app = app;
        Store = store;
        Gated = gated;
        Gateway = new Uri(app.Urls.Single());
    }

    public Uri Gateway { get; }

    public FailingStore Store { get; }

    public GatedStore Gated { get; }

    public ConcurrentDictionary<string, int> Protocols { get; } = new();

    /// <summary>The silo's own factory: calls that never leave the process, for comparison.</summary>
    public IGrainFactory LocalGrains => _app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<RemoteSilo> StartAsync(TimeSpan siloCallTimeout)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2);
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        var gated = new GatedStore(new InMemoryGrainStore());
        var store = new FailingStore(gated);
        builder.Services.AddSilo(o => o.CallTimeout = siloCallTimeout)
            .UseStore(_ => store)
            .AddGrain<IRemoteEchoGrain, RemoteEchoGrain>();
        var app = builder.Build();
        RemoteSilo? silo = null;
        app.Use((context, next) =>
        {
            silo!.Protocols.AddOrUpdate(context.Request.Protocol, 1, (_, n) => n + 1);
            return next(context);
        });
        app.MapGrainGateway(new GrainGatewayOptions { Secret = Secret });
        await app.StartAsync();
        silo = new RemoteSilo(app, store, gated);
        return silo;
    }

    public RemoteGrainClient Client(TimeSpan? callTimeout = null, string? secret = Secret)
        => new(new RemoteGrainClientOptions { Gateway = Gateway, Secret = secret, CallTimeout = callTimeout ?? TimeSpan.FromSeconds(30) });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
