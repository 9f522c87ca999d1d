using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace PointsMall.LocalServers;

/// <summary>
/// A throw-away Redis from Debian's <c>redis-server</c>: 127.0.0.1 on a free port, nothing saved to disk, stopped
/// (killed) on dispose. <see cref="StopAsync"/> takes it away mid-test, for the "Redis is down" cases.
/// Missing binaries fail loudly, never skip.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000");

    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException(
                $"Redis is missing: '{Binary}' does not exist. Tests that need Redis start their own server from Debian's redis-server; " +
                "install it with `apt-get update && apt-get install -y redis-server` (as root).");
        }

        var port = LocalPorts.Next();
        var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Binary}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        await server.WaitListeningAsync();
        return server;
    }


    /// <summary>Kills the server now: clients see the connection go, as when Redis crashes.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private async Task WaitListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} before it listened on {Port}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < StartTimeout)
            {
                // Polling a child process's port: there is no signal to wait on instead.
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"redis-server did not listen on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds:0} s.", ex);
            }
        }
    }
}
