using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PointsMall.Hosting;
using PointsMall.LoadTests.Scenarios;
using PointsMall.LocalServers;
using PointsMall.Testing;
using Xunit.Abstractions;

namespace PointsMall.Cluster.Tests.Support;

/// <summary>One silo of the cluster: its process and its Orleans ports (a silo address's port names the process).</summary>
public sealed record SiloNode(int Number, HostProcess Process, int SiloPort, int GatewayPort)
{
    public string Name => Process.Name;
}

/// <summary>
/// A cluster as an operator runs it, every node a real process from the solution's build: silos
/// (<c>PointsMall.Silo</c>) and API nodes (<c>PointsMall.Api --role api</c>) over one PostgreSQL database that holds
/// the grain state and Orleans' membership table, API nodes sharing one Redis for the shopper limits and one key ring
/// for tokens. The test also gets its own Orleans client, to see where grains live and what the membership says.
/// Failure detection is quicker than Orleans' defaults so that a killed silo is declared dead in seconds.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string AdminPassword = "cluster-admin-1";

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-cluster-tests", Guid.NewGuid().ToString("n")[..12]);
    private readonly List<SiloNode> _silos = [];
    private readonly List<HostProcess> _apiNodes = [];
    private readonly ITestOutputHelper _log;
    private readonly string _clusterId = $"c{Guid.NewGuid():n}"[..12];
    private string _connectionString = "";
    private RedisServer? _redis;
    private IHost? _client;

    private ProcessCluster(ITestOutputHelper log) => _log = log;

    public IReadOnlyList<SiloNode> Silos => _silos;

    public IReadOnlyList<HostProcess> ApiNodes => _apiNodes;

    /// <summary>The test's own Orleans client (management grain: placement and membership).</summary>
    public IClusterClient Orleans => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("The cluster is not started.");

    public static async Task<ProcessCluster> StartAsync(PostgresServer postgres, int silos, int apiNodes, ITestOutputHelper log)
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var cluster = new ProcessCluster(log);
        try
        {
            Directory.CreateDirectory(cluster._directory);
            // Five processes share one server (100 connections): each keeps its pool well under a fifth of it.
            cluster._connectionString = await postgres.CreateDatabaseAsync() + ";Maximum Pool Size=15";
            cluster._redis = await RedisServer.StartAsync();

            // The first silo creates the schemas; the others then join in parallel.
            cluster.StartSilo(1);
            await cluster._silos[0].Process.WaitUntilReadyAsync(Startup);
            for (var i = 2; i <= silos; i++)
            {
                cluster.StartSilo(i);
            }

            await Task.WhenAll(cluster._silos.Skip(1).Select(s => s.Process.WaitUntilReadyAsync(Startup)));
            for (var i = 1; i <= apiNodes; i++)
            {
                cluster.StartApiNode(i);
            }

            await Task.WhenAll(cluster._apiNodes.Select(a => a.WaitUntilReadyAsync(Startup)));
            await cluster.StartClientAsync();
            await cluster.WaitForActiveSilosAsync(silos, Startup);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The API nodes as the load runner's targets (round-robin), or only the ones given.</summary>
    public ApiTargets Api(TimeSpan requestTimeout, params HostProcess[] nodes)
        => new([.. (nodes.Length > 0 ? nodes : [.. _apiNodes]).Select(n => n.Address)], requestTimeout);

    /// <summary>Where the activations of one grain type live, per silo (silos with none included).</summary>
    public async Task<IReadOnlyDictionary<SiloNode, int>> ActivationsAsync(string grainType)
    {
        var statistics = await Orleans.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var counts = _silos.ToDictionary(s => s, _ => 0);
        foreach (var statistic in statistics.Where(s => s.GrainId.Type.ToString() == grainType))
        {
            if (_silos.FirstOrDefault(s => s.SiloPort == statistic.SiloAddress.Endpoint.Port) is { } silo)
            {
                counts[silo]++;
            }
        }

        return counts;
    }

    /// <summary>The silo that holds the activation of one grain, or null when it is not active anywhere.</summary>
    public async Task<SiloNode?> HostOfAsync(string grainType, string key)
    {
        var statistics = await Orleans.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var found = statistics.FirstOrDefault(s => s.GrainId.Type.ToString() == grainType && s.GrainId.Key.ToString() == key);
        return found is null ? null : _silos.FirstOrDefault(s => s.SiloPort == found.SiloAddress.Endpoint.Port);
    }

    /// <summary>
    /// Waits until the membership table says the silo is dead (declared by the others, or its own stop). Read from
    /// PostgreSQL itself, as an operator would: a call through Orleans could be routed to the very silo that stalls.
    /// </summary>
    public Task WaitUntilDeclaredDeadAsync(SiloNode silo, TimeSpan timeout)
        => PollAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                $"SELECT status FROM \"{_clusterId}_orleans\".orleansmembershiptable WHERE port = @port ORDER BY generation DESC LIMIT 1", connection);
            command.Parameters.AddWithValue("port", silo.SiloPort);
            return await command.ExecuteScalarAsync() is int status && status == (int)SiloStatus.Dead;
        }, $"the membership table to declare {silo.Name} dead", timeout);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                await _client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // The cluster's processes are going away anyway.
            }

            _client.Dispose();
        }

        foreach (var node in _apiNodes.Concat(_silos.Select(s => s.Process)))
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, node.Name.Replace(' ', '-') + ".log"), node.Output);
            await node.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _log.WriteLine($"Node logs: {_directory}");
    }

    /// <summary>What every node is given: the database, the membership, one cluster id.</summary>
    private List<string> Shared() =>
    [
        "--Storage:Provider", "postgresql",
        "--Storage:PostgreSql:ConnectionString", _connectionString,
        "--Storage:PostgreSql:Schema", _clusterId,
        "--Orleans:Membership", Clustering.AdoNet,
        "--Orleans:MembershipSchema", _clusterId + "_orleans",
        "--Orleans:ClusterId", _clusterId,
        "--Orleans:ServiceId", _clusterId,
        "--Logging:LogLevel:Default", "Warning",
    ];

    private void StartSilo(int number)
    {
        var (siloPort, gatewayPort) = (FreePorts.Next(), FreePorts.Next());
        List<string> arguments =
        [
            .. Shared(),
            "--Orleans:SiloPort", Text(siloPort),
            "--Orleans:GatewayPort", Text(gatewayPort),

            // A killed silo is suspected after two missed 2 s probes and declared dead by two votes; Orleans'
            // defaults (three missed 10 s probes) would make each test wait half a minute for it.
            "--Orleans:FailureDetection:ProbeTimeout", "00:00:02",
            "--Orleans:FailureDetection:NumMissedProbesLimit", "2",
            "--Orleans:FailureDetection:NumVotesForDeathDeclaration", "2",
        ];
        var process = HostProcess.Start($"silo {number}", HostAssembly("SiloAssembly"), Path.GetDirectoryName(HostAssembly("SiloAssembly"))!, arguments, new Dictionary<string, string?>());
        _silos.Add(new SiloNode(number, process, siloPort, gatewayPort));
    }

    private void StartApiNode(int number)
    {
        List<string> arguments =
        [
            "--role", "api",
            .. Shared(),
            "--RateLimits:Redis", _redis!.Configuration,
            "--DataProtection:KeysPath", Path.Combine(_directory, "keys"),
            "--Demo:Seed", "false",

            // The drop's shoppers all come from one address and redeem as fast as they can.
            "--RateLimits:PerIp", "0",
            "--RateLimits:PerMember", "0",
        ];
        var assembly = HostAssembly("ApiAssembly");
        _apiNodes.Add(HostProcess.Start($"api {number}", assembly, Path.GetDirectoryName(assembly)!, arguments,
            new Dictionary<string, string?> { ["POINTSMALL_ADMIN_PASSWORD"] = AdminPassword }));
    }

    private async Task StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddCommandLine([.. Shared()]);
        builder.UseOrleansClient(client => Clustering.Configure(client, builder.Configuration));
        _client = builder.Build();
        await _client.StartAsync();
    }

    private Task WaitForActiveSilosAsync(int count, TimeSpan timeout)
        => PollAsync(async () => (await Orleans.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count == count, $"{count} active silos in the membership table", timeout);

    /// <summary>Polls another process's state (there is no in-process signal for it) until it holds.</summary>
    private static async Task PollAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(250);
        }
    }

    private static string HostAssembly(string key)
        => Path.GetFullPath(typeof(ProcessCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
