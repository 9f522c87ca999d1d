using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Xunit;

namespace PointsMall.Api.Tests.Deploy;

/// <summary>
/// deploy/run-cluster.sh as an operator types it: it builds, starts PostgreSQL, Redis, three silos, two API nodes and
/// nginx, answers through nginx, and takes everything down again on SIGTERM.
/// </summary>
public sealed class ClusterScriptTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(12);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-cluster-script", Guid.NewGuid().ToString("n"));

    public ClusterScriptTests()
    {
        // The script hands its PostgreSQL folder to the postgres user when run as root: that user must reach it.
        Directory.CreateDirectory(_directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.GetDirectoryName(_directory)!, (UnixFileMode)0b111_101_101);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    [Fact]
    public async Task The_cluster_script_serves_through_nginx_and_stops_everything_on_sigterm()
    {
        var basePort = FreeRange(43);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(DeployFiles.PathOf("run-cluster.sh"));
        start.Environment["BASE_PORT"] = basePort.ToString(CultureInfo.InvariantCulture);
        start.Environment["DATA_DIR"] = Path.Combine(_directory, "data");
        start.Environment["ARTIFACTS_DIR"] = Path.Combine(_directory, "artifacts");
        start.Environment["ADMIN_PASSWORD"] = "cluster-script-admin";
        using var script = Process.Start(start) ?? throw new InvalidOperationException("Could not start deploy/run-cluster.sh.");
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        script.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
                if (line.StartsWith("PointsMall cluster is running", StringComparison.Ordinal))
                {
                    running.TrySetResult();
                }
            }
        };
        script.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            var exited = script.WaitForExitAsync();
            var first = await Task.WhenAny(running.Task, exited, Task.Delay(StartTimeout));
            Assert.True(first == running.Task, $"The script did not say the cluster is running within {StartTimeout.TotalMinutes} minutes (exited: {script.HasExited}). Output:\n{string.Join('\n', output)}");

            // HTTPS with the certificate the script made (trusted here by its thumbprint alone); plain HTTP redirects.
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_directory, "data", "nginx", "tls", "cert.pem")));
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{basePort}/") };
            var ready = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.StartsWith("max-age=", ready.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
            using (var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
            {
                var redirect = await plain.GetAsync(new Uri($"http://127.0.0.1:{basePort + 3}/products?q=1"));
                Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
                Assert.Equal($"https://127.0.0.1:{basePort}/products?q=1", redirect.Headers.Location?.ToString());
            }

            var login = await http.PostAsJsonAsync("api/v1/auth/login", new { login = "admin", password = "cluster-script-admin" });
            Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
            Assert.False(string.IsNullOrEmpty((await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()));
        }
        finally
        {
            if (!script.HasExited)
            {
                using var term = Process.Start("kill", ["-TERM", script.Id.ToString(CultureInfo.InvariantCulture)]);
                await term.WaitForExitAsync();
            }

            using var stopped = new CancellationTokenSource(StopTimeout);
            await script.WaitForExitAsync(stopped.Token);
        }

        // Everything it started is gone: nothing listens on its ports any more.
        foreach (var port in new[] { basePort, basePort + 3, basePort + 1, basePort + 2, basePort + 11, basePort + 21, basePort + 41, basePort + 42 })
        {
            Assert.False(Listening(port), $"port {port} is still open after the script stopped. Output:\n{string.Join('\n', output)}");
        }
    }

    /// <summary>A base port whose next <paramref name="count"/> ports are free now.</summary>
    private static int FreeRange(int count)
    {
        for (var candidate = 20_000 + Random.Shared.Next(0, 300) * 100; ; candidate = 20_000 + Random.Shared.Next(0, 300) * 100)
        {
            if (Enumerable.Range(candidate, count).All(p => !Listening(p)))
            {
                return candidate;
            }
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
