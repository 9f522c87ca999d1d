using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using PointsMall.Api.Tests.Support;
using PointsMall.Hosting;
using Xunit;
using PointsMall.Testing;

namespace PointsMall.Api.Tests.Split;

/// <summary>
/// The split deployment in one test process: a real silo (PointsMall.Silo's host: Kestrel for health on a free
/// port, an Orleans silo with its own free silo and gateway ports, SQLite in a temp folder) and the API in the
/// <c>api</c> role, an Orleans client of that gateway, with shopper limits off.
/// </summary>
#pragma warning disable CA1001 // Disposed in DisposeAsync, which xunit calls for an IAsyncLifetime fixture.
public sealed class SplitHosts : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-split-tests", Guid.NewGuid().ToString("n"));
    private readonly List<SplitApiFactory> _nodes = [];
    private WebApplication? _silo;
    private SplitApiFactory? _api;

    /// <summary>The silo's Orleans gateway, as the API's <c>Silo:Gateway</c> gives it (host:port).</summary>
    public string Gateway { get; private set; } = null!;

    public WebApplicationFactory<Program> Api => _api ?? throw new InvalidOperationException("The split hosts are not started.");

    public WebApplication Silo => _silo ?? throw new InvalidOperationException("The split hosts are not started.");

    public async Task InitializeAsync()
    {
        var settings = FreePorts.OrleansSettings();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Storage:Provider"] = "sqlite";
        settings["Storage:Sqlite:Path"] = Path.Combine(_directory, "silo.db");
        settings["Logging:LogLevel:Default"] = "Warning";
        _silo = SiloHost.Build([], configuration => configuration.AddInMemoryCollection(settings));
        await _silo.StartAsync();
        Gateway = $"127.0.0.1:{settings["Orleans:GatewayPort"]}";
        _api = new SplitApiFactory(Gateway, _directory);

        // Starts the API host: its admin bootstrap already goes over the split.
        _ = _api.Services;
    }

    /// <summary>
    /// Starts one more API node on the same silo, sharing the first node's keys folder (so its generated token signing
    /// key); <paramref name="configure"/> adds to its set-up. Stopped with the others.
    /// </summary>
    public WebApplicationFactory<Program> AddApiNode(Action<IWebHostBuilder> configure)
    {
        var node = new SplitApiFactory(Gateway, _directory, configure);
        _nodes.Add(node);
        _ = node.Services;
        return node;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    private sealed class SplitApiFactory(string gateway, string directory, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Role", "api");
            builder.UseSetting("Silo:Gateway", gateway);

            // Would be the embedded silo's store: the api role must not open it.
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "must-not-exist", "api.db"));
            builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            builder.UseSetting("Admin:Password", ApiFactory.AdminPassword);
            builder.UseSetting("Demo:Seed", "false");
            builder.UseSetting("RateLimits:PerIp", "0");
            builder.UseSetting("RateLimits:PerMember", "0");
            configure?.Invoke(builder);
        }
    }
}
