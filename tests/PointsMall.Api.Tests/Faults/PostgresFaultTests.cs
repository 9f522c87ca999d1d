using System.Diagnostics;
using System.Globalization;
using PointsMall.LocalServers;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Api.Tests.Faults;

/// <summary>The all-in-one host over a PostgreSQL server of its own while shoppers redeem, and the server crashes or freezes (<see cref="FaultDrill"/>).</summary>
public sealed class PostgresFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("pointsmall-faults-").FullName;
    private PostgresServer? _postgres;

    public async Task InitializeAsync() => _postgres = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

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
    public async Task When_PostgreSQL_crashes_mid_load_requests_fail_fast_and_the_node_recovers_when_it_returns()
    {
        var postgres = _postgres!;
        await FaultDrill.RunAsync(output, _data, await StoreAsync(),
            fault: postgres.CrashAsync,
            repair: postgres.RestartAsync,
            faultName: "PostgreSQL crashed (pg_ctl -m immediate)");
    }

    [Fact]
    public async Task When_PostgreSQL_freezes_requests_are_answered_within_the_call_timeout_and_the_node_recovers()
    {
        var postgres = _postgres!;
        IReadOnlyList<int> frozen = [];
        await FaultDrill.RunAsync(output, _data, await StoreAsync(),
            fault: async () =>
            {
                frozen = postgres.ProcessIds();
                await SignalAsync("STOP", frozen);
            },
            repair: () => SignalAsync("CONT", frozen),
            faultName: "PostgreSQL frozen (SIGSTOP on every server process)");
    }

    private async Task<Dictionary<string, string?>> StoreAsync() => new()
    {
        ["Storage__Provider"] = "postgresql",
        ["Storage__PostgreSql__ConnectionString"] = await _postgres!.CreateDatabaseAsync("faults"),
    };

    private static async Task SignalAsync(string signal, IReadOnlyList<int> processes)
    {
        using var kill = Process.Start("kill", [$"-{signal}", .. processes.Select(p => p.ToString(CultureInfo.InvariantCulture))])
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

}
