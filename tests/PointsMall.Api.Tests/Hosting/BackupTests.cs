using System.Globalization;
using System.Net;
using PointsMall.Api.Tests.Deploy;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>
/// The host's <c>backup --to FILE</c> command, as an operator runs it beside a live node: a backup taken while
/// shoppers redeem is one consistent instant. Restored into a fresh node, the sagas caught mid-way finish by their
/// reminders and every invariant holds: stock sold = completed orders, each member's spending = its completed
/// orders, every ledger reconciles, nothing left reserved. SQLite's backup is a file the restored node starts on;
/// PostgreSQL's is a <c>pg_dump</c> archive restored with <c>pg_restore</c> into an empty database.
/// </summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class BackupTests(PostgresServerFixture postgres) : IDisposable
{
    private const string AdminPassword = "backup-admin-password";
    private const int Shoppers = 16;
    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(2);

    // Sagas caught between steps by the backup resume after 2 s instead of a minute.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["POINTSMALL_ADMIN_PASSWORD"] = AdminPassword,
        ["Orders__ResumeAfter"] = "00:00:02",
        ["RateLimits__PerMember"] = "0",
        ["RateLimits__PerIp"] = "0",
    };

    private readonly string _live = Directory.CreateTempSubdirectory("pointsmall-backup-live-").FullName;
    private readonly string _restored = Directory.CreateTempSubdirectory("pointsmall-backup-restored-").FullName;

    public void Dispose()
    {
        foreach (var directory in new[] { _live, _restored })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the temp cleaner gets the rest.
            }
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_backup_taken_while_shoppers_redeem_restores_to_a_node_whose_audit_passes(string store)
    {
        var (liveStore, backupArguments, backupFile) = store == "sqlite"
            ? (new Dictionary<string, string?>(), new[] { "--Storage:Sqlite:Path", Path.Combine(_live, "pointsmall.db") }, Path.Combine(_restored, "pointsmall.db"))
            : await PostgresStoreAsync();
        string productId;
        int ordersAtTheEnd;
        await using (var live = ApiProcess.Start(_live, With(liveStore)))
        {
            await live.WaitUntilReadyAsync(Startup);
            using var shop = await ProcessShop.SignInAsync(live.Address, AdminPassword);
            productId = await shop.ProductAsync("备份测试 Backup drill");
            var shoppers = await shop.ShoppersAsync(Shoppers);

            // Shoppers redeem in a loop; the backup starts once some orders are in and the load goes on past its end.
            var succeeded = 0;
            using var stop = new CancellationTokenSource();
            var load = shoppers.Select(shopper => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var response = await ShopKit.RedeemAsync(shopper, productId, key: $"k{i}");
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else if (response.StatusCode != HttpStatusCode.Conflict)
                    {
                        Assert.Fail($"A redemption answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                }
            })).ToArray();

            await ShopKit.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= 20), "20 redemptions before the backup", seconds: 60);
            var (exitCode, output) = await DeployFiles.RunAsync("dotnet", [ApiProcess.ApiAssembly, "backup", "--to", backupFile, .. backupArguments], TimeSpan.FromMinutes(2));
            Assert.True(exitCode == 0, $"backup exited {exitCode}:\n{output}");
            Assert.Contains("Backed up", output, StringComparison.Ordinal);
            var atBackup = Volatile.Read(ref succeeded);
            await ShopKit.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= atBackup + 10), "10 redemptions after the backup", seconds: 60);
            await stop.CancelAsync();
            await Task.WhenAll(load);

            ordersAtTheEnd = (await shop.OrdersAsync()).Count;
            Assert.Equal(0, await live.StopAsync(TimeSpan.FromMinutes(1)));
        }

        // SQLite's backup is the file the restored node starts on; PostgreSQL's goes into an empty database first.
        var restoredStore = store == "sqlite" ? [] : await PgRestoreAsync(backupFile);
        await using var restored = ApiProcess.Start(_restored, With(restoredStore));
        await restored.WaitUntilReadyAsync(Startup);
        using var auditor = await ProcessShop.SignInAsync(restored.Address, AdminPassword);
        var orders = await auditor.AuditAsync(productId);
        Assert.NotEmpty(orders);
        Assert.True(orders.Count < ordersAtTheEnd, $"the backup holds {orders.Count} orders, the live node ended with {ordersAtTheEnd}: it was not taken under load");
        Assert.Equal(0, await restored.StopAsync(TimeSpan.FromMinutes(1)));
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> store)
    {
        var all = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in store)
        {
            all[key] = value;
        }

        return all;
    }

    private async Task<(Dictionary<string, string?> Store, string[] BackupArguments, string BackupFile)> PostgresStoreAsync()
    {
        var connection = await postgres.Server.CreateDatabaseAsync("backup");
        return (PostgresSettings(connection),
            ["--Storage:Provider", "postgresql", "--Storage:PostgreSql:ConnectionString", connection],
            Path.Combine(_restored, "pointsmall.dump"));
    }

    private async Task<Dictionary<string, string?>> PgRestoreAsync(string archive)
    {
        var connection = await postgres.Server.CreateDatabaseAsync("restored");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;
        var (exitCode, output) = await DeployFiles.RunAsync(Path.Combine(PointsMall.LocalServers.PostgresServer.DefaultBinDirectory, "pg_restore"),
            ["--no-owner", "--host=127.0.0.1", "--port=" + postgres.Server.Port.ToString(CultureInfo.InvariantCulture),
             "--username=" + PointsMall.LocalServers.PostgresServer.UserName, "--dbname=" + database, archive], TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"pg_restore exited {exitCode}:\n{output}");
        return PostgresSettings(connection);
    }

    private static Dictionary<string, string?> PostgresSettings(string connection) => new()
    {
        ["Storage__Provider"] = "postgresql",
        ["Storage__PostgreSql__ConnectionString"] = connection,
    };
}
