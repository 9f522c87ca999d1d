using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PointsMall.Api.Tests.Deploy;

/// <summary>Finds deploy/ in the source tree (tests may build into an artifacts folder far from it) and runs tools.</summary>
internal static class DeployFiles
{
    public static string Directory { get; } = Find();

    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>Runs a tool to completion (bounded), returning its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for '{fileName} {string.Join(' ', start.ArgumentList)}' to finish.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The first existing executable among the candidates, or one found on PATH.</summary>
    public static string? FindTool(string name, params string[] candidates)
        => candidates.Append(name)
            .SelectMany(c => Path.IsPathRooted(c) ? [c] : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, c)))
            .FirstOrDefault(File.Exists);

    private static string Find([CallerFilePath] string source = "")
    {
        // This file's compile-time path leads to the repository; the working directory is the fallback.
        foreach (var start in new[] { Path.GetDirectoryName(source), AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var deploy = Path.Combine(dir.FullName, "deploy");
                if (System.IO.Directory.Exists(Path.Combine(deploy, "nginx")) && File.Exists(Path.Combine(dir.FullName, "PointsMall.sln")))
                {
                    return deploy;
                }
            }
        }

        throw new DirectoryNotFoundException($"deploy/ was not found above {source} or {AppContext.BaseDirectory}.");
    }
}
