using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using PointsMall.Api.Tests.Support;
using PointsMall.Hosting;
using Xunit;

namespace PointsMall.Api.Tests.Split;

/// <summary>
/// The split deployment in one test process: a real silo (PointsMall.Silo's host on Kestrel, 127.0.0.1, a free
/// port, SQLite in a temp folder) and the API in the <c>api</c> role pointing at it, with shopper limits off.
/// </summary>
#pragma warning disable CA1001 // Disposed in DisposeAsync, which xunit calls for an IAsyncLifetime fixture.
public sealed class SplitHosts : IAsyncLifetime
#pragma warning restore CA1001
{
    public const string GatewaySecret = "split-test-secret";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-split-tests", Guid.NewGuid().ToString("n"));
    private WebApplication? _silo;
    private SplitApiFactory? _api;

    public Uri Gateway { get; private set; } = null!;

    public WebApplicationFactory<Program> Api => _api ?? throw new InvalidOperationException("The split hosts are not started.");

    public WebApplication Silo => _silo ?? throw new InvalidOperationException("The split hosts are not started.");

    public async Task InitializeAsync()
    {
        _silo = SiloHost.Build([], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:Provider"] = "sqlite",
            ["Storage:Sqlite:Path"] = Path.Combine(_directory, "silo.db"),
            ["Silo:GatewaySecret"] = GatewaySecret,
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        await _silo.StartAsync();
        Gateway = new Uri(_silo.Urls.Single());
        _api = new SplitApiFactory(Gateway, _directory);

        // Starts the API host: its admin bootstrap already goes over the split.
        _ = _api.Services;
    }

    public async Task DisposeAsync()
    {
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

    private sealed class SplitApiFactory(Uri gateway, string directory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Role", "api");
            builder.UseSetting("Silo:Gateway", gateway.ToString());
            builder.UseSetting("Silo:GatewaySecret", GatewaySecret);

            // Would be the embedded silo's store: the api role must not open it.
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "must-not-exist", "api.db"));
            builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            builder.UseSetting("Admin:Password", ApiFactory.AdminPassword);
            builder.UseSetting("Demo:Seed", "false");
            builder.UseSetting("RateLimits:PerIp", "0");
            builder.UseSetting("RateLimits:PerMember", "0");
        }
    }
}
