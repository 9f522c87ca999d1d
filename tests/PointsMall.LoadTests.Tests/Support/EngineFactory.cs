using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PointsMall.LoadTests.Scenarios;
using PointsMall.Testing;

namespace PointsMall.LoadTests.Tests.Support;

/// <summary>
/// The all-in-one engine (API + silo) in memory over a SQLite file in a temp folder, with a known admin password,
/// no demo data and the shopper rate limits off (a load generator is one client address hammering one endpoint).
/// The type argument only names the API assembly: its <c>Program</c> clashes with the silo host's.
/// </summary>
public sealed class EngineFactory : WebApplicationFactory<PointsMall.Api.Auth.RegisterRequest>
{
    public const string AdminPassword = "load-test-admin-password";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-loadtests", Guid.NewGuid().ToString("n"));

    /// <summary>The runner's targets, over the in-memory test server.</summary>
    public ApiTargets Targets() => new([Server.BaseAddress], TimeSpan.FromSeconds(30), () => Server.CreateHandler());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(_directory, "engine.db"));
        builder.UseSetting("DataProtection:KeysPath", Path.Combine(_directory, "keys"));
        builder.UseSetting("Admin:Password", AdminPassword);
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("RateLimits:PerMember", "0");
        builder.UseSetting("RateLimits:PerIp", "0");

        // The test server gives requests no client address, so the loopback rule would refuse the runner's scrapes.
        builder.UseSetting("Metrics:Access", "Anyone");

        // The co-hosted Orleans silo listens on real TCP ports even under the test server: free ones, so that test
        // projects running in parallel (or a mall running on this machine) do not collide on the defaults.
        builder.UseFreeOrleansPorts();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }
}
