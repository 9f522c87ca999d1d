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

    [Fact]
    public async Task A_silo_restarted_after_a_SIGKILL_takes_the_outbox_lease_of_its_earlier_run_at_once()
    {
        var directory = Path.Combine(Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "outbox.db");
        await using var store = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = database });
        await store.InitializeAsync(CancellationToken.None);

        long first;
        using (var run = StartHost(database, "outbox"))
        {
            await ReadUntilAsync(run, "started");
            first = await CommitEventAsync(store);
            await ReadUntilAsync(run, $"delivered {first}");
            run.Kill();
            await run.WaitForExitAsync();
        }

        // The killed run still holds the lease, for ten minutes by its clock.
        var lease = await store.AcquireLeaseAsync(
            new LeaseRequest("outbox/crash-out", "outsider", DateTimeOffset.MinValue, DateTimeOffset.MinValue), CancellationToken.None);
        Assert.NotEqual("outsider", lease.Holder);
        Assert.True(lease.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(5), $"the lease expires at {lease.ExpiresAt:O}");

        var second = await CommitEventAsync(store);
        using var restarted = StartHost(database, "outbox");
        await ReadUntilAsync(restarted, $"delivered {second}");
        restarted.Kill();
    }

    private static Process StartHost(string database, string mode)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "PointsMall.GroupCommit.CrashHost.dll");
        return Process.Start(new ProcessStartInfo("dotnet", ["exec", host, database, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
    }

    /// <summary>Reads the host's output until <paramref name="expected"/>; the host is killed if it does not come in time.</summary>
    private static async Task ReadUntilAsync(Process process, string expected)
    {
        var timeout = TimeSpan.FromSeconds(60);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line == expected)
                {
                    return;
                }
            }

            throw new InvalidOperationException($"The host exited before printing '{expected}': {await process.StandardError.ReadToEndAsync(CancellationToken.None)}");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for the host to print '{expected}'.");
        }
    }

    private static async Task<long> CommitEventAsync(SqliteGrainStore store)
    {
        var before = await store.ReadEventsAsync(0, 10_000, CancellationToken.None);
        var result = await store.CommitAsync(
            new CommitBatch([], [new EventAppend("crash-out/k", "e", "{}"u8.ToArray(), DateTimeOffset.UtcNow)], []), CancellationToken.None);
        Assert.True(result.IsCommitted);
        return (await store.ReadEventsAsync(before.Count == 0 ? 0 : before[^1].Sequence, 10, CancellationToken.None))[^1].Sequence;
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
