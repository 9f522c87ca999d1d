using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PointsMall.Actors.Remoting;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Actors.Tests.Remoting;

/// <summary>Grain calls from another process: one real silo gateway (Kestrel, HTTP/2) shared by the tests of this class.</summary>
public sealed class RemoteCallTests(RemoteCallTests.SiloFixture fixture, ITestOutputHelper output) : IClassFixture<RemoteCallTests.SiloFixture>
{
    /// <summary>The silo answers a call it could not finish within this; clients wait longer unless a test says otherwise.</summary>
    public static readonly TimeSpan SiloCallTimeout = TimeSpan.FromSeconds(2);

    private IRemoteEchoGrain Echo(string key) => fixture.Client.GetGrain<IRemoteEchoGrain>(key);

    [Fact]
    public async Task Values_nulls_records_and_lists_round_trip()
    {
        var echo = Echo("values");
        var parcel = new Parcel("p", 90, ["fragile", "礼品"], new Parcel("inner", 1, [], null));

        Assert.Equal(5, await echo.AddAsync(2, 3));
        Assert.Equal("héllo \"quoted\" 世界", await echo.EchoAsync("héllo \"quoted\" 世界"));
        Assert.Null(await echo.EchoAsync(null));
        Assert.Null(await echo.EchoParcelAsync(null));
        var back = await echo.EchoParcelAsync(parcel);
        Assert.Equal(parcel with { Tags = back!.Tags, Inner = back.Inner }, back);
        Assert.Equal(["fragile", "礼品"], back.Tags);
        Assert.Equal("inner", back.Inner!.Id);
        var parts = await echo.SplitAsync(parcel, 3);
        Assert.Equal(["p-1", "p-2", "p-3"], parts.Select(p => p.Id));
        Assert.All(parts, p => Assert.Equal(30, p.Weight));
        var at = new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.FromHours(8));
        Assert.Equal(
            "Dark|none|a=1,b=2|2026-11-22T04:30:00.0000000+08:00",
            await echo.DescribeAsync(Shade.Dark, null, new Dictionary<string, long> { ["b"] = 2, ["a"] = 1 }, at, TimeSpan.FromMinutes(90)));
        Assert.StartsWith("Light|7|", await echo.DescribeAsync(Shade.Light, 7, new Dictionary<string, long>(), at, TimeSpan.Zero), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_with_any_characters_reach_the_same_activation_as_local_calls()
    {
        const string key = "会员/13900000000 & e-mail:a+b@example.com";
        await Echo(key).RememberAsync("remote");
        await fixture.Silo.LocalGrains.GetGrain<IRemoteEchoGrain>(key).RememberAsync("local");

        Assert.Equal(["remote", "local"], await Echo(key).NotesAsync());
    }

    [Fact]
    public async Task A_remote_reply_waits_until_the_change_is_durable()
    {
        var echo = Echo("durable");
        await echo.CountAsync(1);
        var gate = fixture.Silo.Gated.HoldNextCommit();

        var call = echo.CountAsync(10);
        await gate.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(call.IsCompleted, "the silo answered before the commit holding the change was durable");

        gate.Open();
        Assert.Equal(11, await call.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_grain_exception_arrives_as_a_remote_exception_with_its_type_and_message()
    {
        var ex = await Assert.ThrowsAsync<RemoteGrainException>(() => Echo("throws").ThrowAsync("no such coupon"));

        Assert.Equal("System.InvalidOperationException", ex.RemoteType);
        Assert.Equal("no such coupon", ex.Message);
    }

    [Theory]
    [InlineData("timeout", typeof(GrainCallTimeoutException))]
    [InlineData("storage", typeof(StorageCommitException))]
    [InlineData("conflict", typeof(VersionConflictException))]
    [InlineData("unavailable", typeof(SiloUnavailableException))]
    public async Task Runtime_faults_are_rebuilt_as_the_same_types(string kind, Type expected)
    {
        var ex = await Assert.ThrowsAnyAsync<GrainRuntimeException>(() => Echo("faults").FaultAsync(kind));

        Assert.IsType(expected, ex);
    }

    [Fact]
    public async Task A_failed_commit_in_the_silo_is_a_storage_commit_exception_and_nothing_is_kept()
    {
        var echo = Echo("commit-fails");
        Assert.Equal(5, await echo.CountAsync(5));

        fixture.Silo.Store.FailNextCommit();
        await Assert.ThrowsAsync<StorageCommitException>(() => echo.CountAsync(100));

        Assert.Equal(6, await echo.CountAsync(1));
    }

    [Fact]
    public async Task A_call_the_silo_cannot_finish_in_time_is_the_silos_timeout()
    {
        var gate = $"silo-timeout-{Guid.NewGuid():n}";
        try
        {
            var ex = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => Echo(gate).WaitAsync(gate));

            Assert.Contains($"within {SiloCallTimeout.TotalMilliseconds:0} ms", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            RemoteGates.Open(gate);
        }
    }

    [Fact]
    public async Task A_caller_that_waits_less_than_the_silo_times_out_on_its_own_clock()
    {
        using var impatient = fixture.Silo.Client(callTimeout: TimeSpan.FromMilliseconds(200));
        var gate = $"client-timeout-{Guid.NewGuid():n}";
        try
        {
            var ex = await Assert.ThrowsAsync<GrainCallTimeoutException>(() => impatient.GetGrain<IRemoteEchoGrain>(gate).WaitAsync(gate));

            Assert.Equal(new GrainId("remote-echo", gate), ex.Grain);
            Assert.Contains("within 200 ms", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            RemoteGates.Open(gate);
        }
    }

    [Fact]
    public async Task An_unreachable_silo_is_silo_unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RemoteGrainClient(new RemoteGrainClientOptions { Gateway = new Uri($"http://127.0.0.1:{port}") });

        var ex = await Assert.ThrowsAsync<SiloUnavailableException>(() => client.GetGrain<IRemoteEchoGrain>("x").AddAsync(1, 2));
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => client.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_wrong_or_missing_secret_is_refused_and_the_right_one_is_ready()
    {
        using var stranger = fixture.Silo.Client(secret: "not-the-secret");
        using var anonymous = fixture.Silo.Client(secret: null);

        var wrong = await Assert.ThrowsAsync<SiloUnavailableException>(() => stranger.GetGrain<IRemoteEchoGrain>("s").AddAsync(1, 1));
        Assert.Contains("secret", wrong.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => anonymous.GetGrain<IRemoteEchoGrain>("s").AddAsync(1, 1));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => stranger.PingAsync(CancellationToken.None));
        await fixture.Client.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_grain_type_the_silo_does_not_host_is_refused_clearly()
    {
        var ex = await Assert.ThrowsAsync<GrainGatewayException>(() => fixture.Client.GetGrain<IUnhostedGrain>("x").PingAsync());

        Assert.Contains("hosts no grain type 'unhosted'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoSuchAsync()", "[]", HttpStatusCode.NotFound, "unknown_method")]
    [InlineData("AddAsync(int, int)", "[1]", HttpStatusCode.BadRequest, "bad_arguments")]
    [InlineData("AddAsync(int, int)", "[1, \"two\"]", HttpStatusCode.BadRequest, "bad_arguments")]
    [InlineData("AddAsync(int, int)", "{not json", HttpStatusCode.BadRequest, "bad_arguments")]
    public async Task The_gateway_refuses_unknown_methods_and_unreadable_arguments(string method, string body, HttpStatusCode status, string code)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Silo.Gateway, "/silo/v1/calls"))
        {
            Content = new StringContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add("pm-grain-type", "remote-echo");
        request.Headers.Add("pm-grain-key", "raw");
        request.Headers.Add("pm-method", Uri.EscapeDataString(method));
        request.Headers.Add("pm-gateway-secret", RemoteSilo.Secret);

        using var response = await http.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"code\":\"{code}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thousands_of_concurrent_calls_share_a_few_http2_connections_and_all_count()
    {
        const int keys = 50;
        const int callsPerKey = 60;
        var prefix = Guid.NewGuid().ToString("n");
        using var start = new SemaphoreSlim(0);

        var calls = Enumerable.Range(0, keys * callsPerKey).Select(async i =>
        {
            await start.WaitAsync();
            return await Echo($"{prefix}-{i % keys}").CountAsync(1);
        }).ToList();
        start.Release(calls.Count);
        var replies = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        // Each key saw every count from 1 to callsPerKey exactly once: no call lost, none applied twice.
        Assert.Equal(keys * Enumerable.Range(1, callsPerKey).Sum(), replies.Sum());
        for (var k = 0; k < keys; k++)
        {
            Assert.Equal(callsPerKey, await fixture.Silo.LocalGrains.GetGrain<IRemoteEchoGrain>($"{prefix}-{k}").CountAsync(0));
        }

        Assert.True(fixture.Silo.Protocols.ContainsKey("HTTP/2"), $"protocols seen: {string.Join(", ", fixture.Silo.Protocols.Keys)}");
    }

    /// <summary>Not a benchmark (the machine is shared), but the order of magnitude: the output says what was measured.</summary>
    [Fact]
    public async Task Cost_of_a_remote_call_against_an_in_process_call_is_reported()
    {
        const int warmup = 500;
        const int calls = 3000;
        var remote = Echo("cost");
        var local = fixture.Silo.LocalGrains.GetGrain<IRemoteEchoGrain>("cost");
        for (var i = 0; i < warmup; i++)
        {
            Assert.Equal(i + 1, await remote.AddAsync(i, 1));
            Assert.Equal(i + 1, await local.AddAsync(i, 1));
        }

        var localTime = await MeasureAsync(local, calls);
        var remoteTime = await MeasureAsync(remote, calls);
        var parallelRemote = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ => await MeasureAsync(remote, calls / 16)));
        parallelRemote.Stop();

        output.WriteLine($"sequential read call, {calls} calls: in-process {PerCall(localTime, calls)}, remote (HTTP/2 loopback) {PerCall(remoteTime, calls)}");
        output.WriteLine($"16 concurrent remote callers: {calls / 16 * 16 / parallelRemote.Elapsed.TotalSeconds:0} calls/s");
    }

    private static async Task<TimeSpan> MeasureAsync(IRemoteEchoGrain grain, int calls)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            if (await grain.AddAsync(i, 1) != i + 1)
            {
                throw new InvalidOperationException($"wrong reply for call {i}");
            }
        }

        return watch.Elapsed;
    }

    private static string PerCall(TimeSpan elapsed, int calls) => $"{elapsed.TotalMicroseconds / calls:0.0} µs/call";

    public sealed class SiloFixture : IAsyncLifetime
    {
        public RemoteSilo Silo { get; private set; } = null!;

        public RemoteGrainClient Client { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Silo = await RemoteSilo.StartAsync(SiloCallTimeout);
            Client = Silo.Client();
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Silo.DisposeAsync();
        }
    }
}
