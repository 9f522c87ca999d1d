using PointsMall.Api.Tests.Deploy;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Api.Tests.Faults;

/// <summary>
/// The all-in-one host over SQLite on a small file system of its own (a tmpfs mounted for the test, which needs root
/// as CI has) while shoppers redeem, and the file system fills up: SQLite still answers reads but refuses every
/// commit, so readiness must come from the failing writes (<see cref="FaultDrill"/>).
/// </summary>
public sealed class SqliteFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("pointsmall-sqlite-faults-").FullName;
    private string Volume => Path.Combine(_data, "volume");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Volume);
        var (exitCode, text) = await RunAsync("mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", Volume]);
        Assert.True(exitCode == 0, $"The SQLite fault test mounts a 32 MB tmpfs for its database and needs root for it (CI runs as root): mount said {exitCode}: {text}");
    }

    public async Task DisposeAsync()
    {
        // Lazily: the host may still hold the file if the test failed before stopping it.
        await RunAsync("umount", ["-l", Volume]);
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    [Fact]
    public async Task When_the_disk_fills_up_requests_fail_fast_readiness_says_so_and_the_node_recovers_when_space_returns()
    {
        var filler = Path.Combine(Volume, "filler");
        await FaultDrill.RunAsync(output, _data,
            new Dictionary<string, string?> { ["Storage__Provider"] = "sqlite", ["Storage__Sqlite__Path"] = Path.Combine(Volume, "pointsmall.db") },
            fault: () => FillAsync(filler),
            repair: () =>
            {
                File.Delete(filler);
                return Task.CompletedTask;
            },
            faultName: "SQLite's file system full");
    }

    /// <summary>Writes until the file system refuses another byte.</summary>
    private static async Task FillAsync(string path)
    {
        var chunk = new byte[64 * 1024];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full. A smaller write may still fit in the last partial page; that is space SQLite may use.
        }
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string tool, IReadOnlyList<string> arguments)
        => DeployFiles.RunAsync(tool, arguments, TimeSpan.FromSeconds(30));
}
