using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace PointsMall.Testing;

/// <summary>
/// A built PointsMall host (the API, a silo) started as a real child process, <c>dotnet exec &lt;assembly&gt; …</c>,
/// with its output captured line by line so tests can wait for what it prints, and signals for the failures tests
/// stage: SIGKILL (a lost machine), SIGSTOP/SIGCONT (a machine that stalls and comes back), SIGTERM (systemd's stop).
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private HostProcess(Process process, string name, Uri address)
    {
        _process = process;
        Name = name;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>What the test calls it in messages ("silo 2", "the API").</summary>
    public string Name { get; }

    /// <summary>The host's HTTP address (API, or a silo's health endpoints).</summary>
    public Uri Address { get; }

    public HttpClient Client { get; }

    public int Id => _process.Id;

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>dotnet exec <paramref name="assembly"/></c> with <c>--urls</c> on a free loopback port, then
    /// <paramref name="arguments"/>, in <paramref name="workingDirectory"/>, with a clean environment for the
    /// settings tests decide (no inherited admin password) plus <paramref name="environment"/>.
    /// </summary>
    public static HostProcess Start(string name, string assembly, string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{Path.GetFileName(assembly)} was not found at {assembly}; build the solution first.", assembly);
        }

        var address = new Uri($"http://127.0.0.1:{FreePorts.Next()}");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { "exec", assembly, "--urls", address.ToString().TrimEnd('/') }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("POINTSMALL_ADMIN_PASSWORD");
        start.Environment.Remove("Admin__Password");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var started = new HostProcess(process, name, address);
        process.OutputDataReceived += (_, e) => started.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => started.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {dotnet} {string.Join(' ', start.ArgumentList)}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
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
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before /health/ready answered 200. Output:\n{Output}");
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

        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {Name} at {Address}health/ready to answer 200 (last: {last}). Output:\n{Output}");
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
            t => t.IsCompletedSuccessfully ? t.Result : throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {Name} to print {what}. Output:\n{Output}"),
            TaskScheduler.Default);
    }

    /// <summary>SIGKILL: the process dies at once, with no shutdown of any kind (a lost machine).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the process stops running but keeps its sockets, as a machine that stalls.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: a paused process runs again from where it stood.</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Waits for the process to end by itself; the message names why it was expected to.</summary>
    public async Task<int> WaitForExitAsync(string why, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {Name} to exit ({why}). Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl+C send) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            await SignalAsync("TERM");
        }

        try
        {
            return await WaitForExitAsync("after SIGTERM", timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            // A paused process must run again to die of anything but SIGKILL; SIGKILL works either way.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not run kill -{signal}.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} ({Name}) failed with exit code {kill.ExitCode}.");
        }
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
