using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PointsMall.Testing;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>
/// The built PointsMall.Api started as a real child process (<c>dotnet PointsMall.Api.dll --urls ...</c>) on a free
/// loopback port, with its output captured line by line so tests can wait for what it prints.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private ApiProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    /// <summary>The API assembly next to the test assembly (the test project references the API project).</summary>
    public static string ApiAssembly
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "PointsMall.Api.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"PointsMall.Api.dll was not found next to the tests in {AppContext.BaseDirectory}; build the test project.", path);
        }
    }

    /// <summary>
    /// Starts the host with the data under <paramref name="dataDirectory"/> (also its working directory) and the given
    /// extra environment: the build next to the tests by default, with the test folder as its content root; or the
    /// <paramref name="publishedAssembly"/> as an operator starts it, with no content root given.
    /// </summary>
    public static ApiProcess Start(string dataDirectory, IReadOnlyDictionary<string, string?> environment, string? publishedAssembly = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        string[] run = publishedAssembly is null
            ? ["exec", ApiAssembly, "--urls", address.ToString().TrimEnd('/'), "--contentRoot", AppContext.BaseDirectory]
            : ["exec", publishedAssembly, "--urls", address.ToString().TrimEnd('/')];

        // The co-hosted silo's ports: the defaults would collide with the other hosts the test run starts.
        string[] arguments = [.. run, .. FreePorts.OrleansSettings().SelectMany(s => new[] { "--" + s.Key, s.Value! })];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A clean slate: nothing inherited from the test run decides the admin password or the environment.
        start.Environment.Remove("POINTSMALL_ADMIN_PASSWORD");
        start.Environment.Remove("Admin__Password");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Storage__Provider"] = "sqlite";
        start.Environment["Storage__Sqlite__Path"] = Path.Combine(dataDirectory, "pointsmall.db");
        start.Environment["DataProtection__KeysPath"] = Path.Combine(dataDirectory, "keys");
        start.Environment["Demo__Seed"] = "false";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var api = new ApiProcess(process, address);
        process.OutputDataReceived += (_, e) => api.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => api.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {dotnet} {string.Join(' ', arguments)}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>Polls /health/ready until it answers 200; fails with the process output if it exits or the time runs out.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API process exited with code {_process.ExitCode} before /health/ready answered 200. Output:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            // Polling a separate process: there is no in-process signal to wait on.
            await Task.Delay(200);
        }

        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {Address}health/ready to answer 200 (last: {last}). Output:\n{Output}");
    }

    /// <summary>Waits for a printed line that matches; the message names what was awaited.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var seen = _lines.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout).ContinueWith(
            t => t.IsCompletedSuccessfully ? t.Result : throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for the API to print {what}. Output:\n{Output}"),
            TaskScheduler.Default);
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl+C send) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for the API process to exit after SIGTERM; killed it. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>>? matched = null;
        lock (_lock)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    (matched ??= []).Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(m => m.TrySetResult(line));
    }
}
