using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
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
    private const long StartingPoints = 1_000;
    private const long Price = 10;
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
            var admin = await AdminAsync(live.Client);
            productId = await ShopKit.CreateProductAsync(admin, new { name = "备份测试 Backup drill", brand = "PM", category = "Virtual", pointsPrice = Price, stock = 10_000 });
            var shoppers = await ShoppersAsync(admin, live.Address);

            // Shoppers redeem in a loop; the backup starts once some orders are in and the load goes on past its end.
            var succeeded = 0;
            var backupDone = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
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

            ordersAtTheEnd = (await OrdersAsync(admin)).Count;
            Assert.Equal(0, await live.StopAsync(TimeSpan.FromMinutes(1)));
        }

        // SQLite's backup is the file the restored node starts on; PostgreSQL's goes into an empty database first.
        var restoredStore = store == "sqlite" ? [] : await PgRestoreAsync(backupFile);
        await using var restored = ApiProcess.Start(_restored, With(restoredStore));
        await restored.WaitUntilReadyAsync(Startup);
        var auditor = await AdminAsync(restored.Client);
        await ShopKit.EventuallyAsync(
            async () => (await OrdersAsync(auditor)).All(o => o.Status is "Completed" or "Cancelled"),
            "every order in the backup to rest (sagas caught mid-way resume by their reminders)", seconds: 90);

        var orders = await OrdersAsync(auditor);
        Assert.NotEmpty(orders);
        Assert.True(orders.Count < ordersAtTheEnd, $"the backup holds {orders.Count} orders, the live node ended with {ordersAtTheEnd}: it was not taken under load");
        var completed = orders.Where(o => o.Status == "Completed").ToList();

        var stock = (await ShopKit.GetJsonAsync(auditor, $"/api/v1/admin/products/{productId}")).GetProperty("stock");
        Assert.Equal(0, stock.GetProperty("reserved").GetInt64());
        Assert.Equal(completed.Sum(o => (long)o.Quantity), stock.GetProperty("sold").GetInt64());
        Assert.Equal(stock.GetProperty("total").GetInt64(), stock.GetProperty("available").GetInt64() + stock.GetProperty("sold").GetInt64());

        foreach (var member in orders.Select(o => o.MemberId).Distinct())
        {
            var view = await ShopKit.GetJsonAsync(auditor, $"/api/v1/admin/members/{member}");
            Assert.True(view.GetProperty("reconciles").GetBoolean(), $"{member}'s ledger does not reconcile after the restore");
            var spent = StartingPoints - view.GetProperty("member").GetProperty("balance").GetInt64();
            Assert.Equal(completed.Where(o => o.MemberId == member).Sum(o => o.Points), spent);
        }

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

    private static async Task<HttpClient> AdminAsync(HttpClient client)
    {
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = "admin", password = AdminPassword });
        Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        var admin = new HttpClient { BaseAddress = client.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        return admin;
    }

    private static async Task<List<HttpClient>> ShoppersAsync(HttpClient admin, Uri address)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count = Shoppers, startingPoints = StartingPoints, displayNamePrefix = "backup" });
        await ApiFactory.EnsureAsync(response, "bulk members");
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("members").EnumerateArray().Select(m =>
        {
            var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", m.GetProperty("accessToken").GetString());
            return client;
        })];
    }

    private static async Task<List<(string Id, string MemberId, int Quantity, long Points, string Status)>> OrdersAsync(HttpClient admin)
    {
        var all = new List<(string, string, int, long, string)>();
        for (var page = 1; ; page++)
        {
            var body = await ShopKit.GetJsonAsync(admin, string.Create(CultureInfo.InvariantCulture, $"/api/v1/admin/orders?page={page}&pageSize=100"));
            var items = body.GetProperty("items");
            all.AddRange(items.EnumerateArray().Select(o => (o.GetProperty("id").GetString()!, o.GetProperty("memberId").GetString()!,
                o.GetProperty("quantity").GetInt32(), o.GetProperty("points").GetInt64(), o.GetProperty("status").GetString()!)));
            if (items.GetArrayLength() < 100)
            {
                return all;
            }
        }
    }
}
