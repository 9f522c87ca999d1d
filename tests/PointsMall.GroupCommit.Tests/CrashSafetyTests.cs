using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PointsMall.Storage;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.GroupCommit.Tests;

/// <summary>
/// A real silo process (tests/PointsMall.GroupCommit.CrashHost) under load, SIGKILLed mid-write: every change it
/// acknowledged must be in the SQLite file afterwards, for the pipelined hot grain and the ordinary ones alike.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int AcksBeforeKill = 3_000;

    [Fact]
    public async Task A_silo_killed_under_load_loses_nothing_it_acknowledged()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "crash.db");

        var acknowledged = await RunAndKillAsync(database);

        await using var store = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = database });
        await store.InitializeAsync(CancellationToken.None);
        foreach (var (key, value) in acknowledged)
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var stored = await store.ReadStateAsync(new StateKey(key[..slash], key[(slash + 1)..]), CancellationToken.None);
            Assert.NotNull(stored);
            var durable = JsonSerializer.Deserialize<JsonElement>(stored.Payload).GetProperty("value").GetInt64();

            // At least what was acknowledged: a reply left only once its change was durable. (More is fine: a change
            // may be durable whose reply the kill cut off.)
            Assert.True(durable >= value, $"{key}: {value} was acknowledged but only {durable} is durable.");
        }

        Assert.Contains(acknowledged.Keys, k => k.StartsWith("crash-hot-counter/", StringComparison.Ordinal));
        Assert.Contains(acknowledged.Keys, k => k.StartsWith("crash-counter/", StringComparison.Ordinal));
    }

    /// <summary>Runs the host until it has acknowledged enough changes, kills it, and returns the highest value acknowledged per key.</summary>
    private static async Task<Dictionary<string, long>> RunAndKillAsync(string database)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "PointsMall.GroupCommit.CrashHost.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", host, database])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var highest = new Dictionary<string, long>();
        var acks = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            while (acks < AcksBeforeKill)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The crash host exited after {acks} acknowledgements: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                if (!line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = line.Split(' ');
                var value = long.Parse(parts[2], CultureInfo.InvariantCulture);
                highest[parts[1]] = Math.Max(highest.GetValueOrDefault(parts[1]), value);
                acks++;
            }

            // SIGKILL: no shutdown, no flush; writes in flight die with the process.
            process.Kill();
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Waited 120 s for the crash host to acknowledge {AcksBeforeKill} changes (it had {acks}).");
        }

        return highest;
    }
}
