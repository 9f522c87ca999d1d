using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PointsMall.Actors.Tests.Support;
using PointsMall.Storage.Sqlite;
using Xunit;

namespace PointsMall.Actors.Tests.Persistence;

public sealed class CrashSafetyTests
{
    [Fact]
    public async Task Every_write_acknowledged_before_a_SIGKILL_is_in_storage_after_restart()
    {
        using var directory = new TempDirectory();
        var database = directory.File("crash.db");
        var acknowledged = new Dictionary<string, long>();
        var acks = 0;

        var host = Path.Combine(AppContext.BaseDirectory, "PointsMall.Actors.CrashHost.dll");
        using (var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", host, database, "50", "64"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                // Read acknowledgements until a few thousand are in, then kill the process mid-stream.
                while (acks < 3_000)
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                        ?? throw new InvalidOperationException($"The crash host exited before 3,000 acknowledgements (after {acks}): {await process.StandardError.ReadToEndAsync()}");
                    var parts = line.Split(' ');
                    if (parts[0] != "ack")
                    {
                        continue;
                    }

                    var value = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    acknowledged[parts[1]] = Math.Max(acknowledged.GetValueOrDefault(parts[1]), value);
                    acks++;
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited 120s for the crash host to acknowledge 3,000 writes; got {acks}.");
            }
            finally
            {
                process.Kill(); // SIGKILL on Linux: no shutdown hooks, no flush.
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await using var store = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = database });
        await store.InitializeAsync(CancellationToken.None);
        foreach (var (key, value) in acknowledged)
        {
            var stored = await store.ReadStateAsync(new GrainId("crash-counter", key), CancellationToken.None);
            Assert.NotNull(stored);
            var storedValue = JsonDocument.Parse(stored.Payload).RootElement.GetProperty("value").GetInt64();
            Assert.True(storedValue >= value, $"{key}: acknowledged {value} but storage holds {storedValue}");
        }

        Assert.True(acknowledged.Count > 1);
    }
}
