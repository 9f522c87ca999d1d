using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PointsMall.LocalServers;

/// <summary>
/// A throw-away PostgreSQL 15 server from Debian's binaries: its own data directory in a temp folder, trust
/// auth for user <c>pm</c>, 127.0.0.1 on a free port, fsync on (durability tests must mean something).
/// Stopped with <c>pg_ctl -m immediate</c> and deleted on dispose.
/// </summary>
/// <remarks>
/// <c>initdb</c> refuses to run as root, and CI runs as root: then the folder is handed to the <c>postgres</c>
/// user and the binaries run through <c>runuser</c>. Missing binaries fail loudly, never skip.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Where Debian's postgresql package puts the server binaries; <c>POINTSMALL_PG_BIN</c> overrides it.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    public const string UserName = "pm";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _binDirectory;
    private readonly string _root;
    private readonly bool _asPostgresUser;
    private bool _stopped;

    private PostgresServer(string binDirectory, string root, bool asPostgresUser, int port)
    {
        _binDirectory = binDirectory;
        _root = root;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    private string DataDirectory => Path.Combine(_root, "data");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>Creates the cluster and starts the server; throws with instructions when PostgreSQL is missing.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var binDirectory = Environment.GetEnvironmentVariable("POINTSMALL_PG_BIN") is { Length: > 0 } custom ? custom : DefaultBinDirectory;
        foreach (var tool in new[] { "initdb", "pg_ctl" })
        {
            if (!File.Exists(Path.Combine(binDirectory, tool)))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL server binaries are missing: '{Path.Combine(binDirectory, tool)}' does not exist. " +
                    "Tests that need PostgreSQL start their own server from Debian's PostgreSQL 15 binaries; install them with " +
                    "`apt-get update && apt-get install -y postgresql` (as root), or point POINTSMALL_PG_BIN at a directory holding initdb and pg_ctl.");
            }
        }

        var asPostgresUser = await IsRootAsync();
        var root = Path.Combine(Path.GetTempPath(), "pm-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        try
        {
            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres", root], root, "handing the temp directory to the postgres user (chown)");
            }

            var server = new PostgresServer(binDirectory, root, asPostgresUser, port: 0);
            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", UserName, "-E", "UTF8", "--no-sync"], "initdb to create the cluster");

            // A port picked by binding port 0 can be taken again before the server binds it; try a few.
            for (var attempt = 1; ; attempt++)
            {
                var port = LocalPorts.Next();
                var started = new PostgresServer(binDirectory, root, asPostgresUser, port);
                try
                {
                    await started.RunToolAsync(
                        "pg_ctl",
                        ["-D", started.DataDirectory, "-l", started.LogFile, "-w", "-t", "60", "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
                        $"pg_ctl to start PostgreSQL on 127.0.0.1:{port}");
                    return started;
                }
                catch (InvalidOperationException) when (attempt < 3 && ReadLog(started.LogFile).Contains("could not bind", StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(started.LogFile);
                }
            }
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = UserName,
        Database = database,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates an empty database with a unique name and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var name = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}";
        if (name.Length > 63 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException($"'{prefix}' makes an invalid database name '{name}': use a short prefix of letters, digits and '_'.", nameof(prefix));
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    /// <summary>Stops the server at once, as a crash or a pulled plug would (<c>pg_ctl -m immediate</c>); the data stays.</summary>
    public Task CrashAsync()
        => RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], $"pg_ctl to stop PostgreSQL on port {Port}");

    /// <summary>Starts the server again on the same port and data after <see cref="CrashAsync"/> (it recovers from its WAL).</summary>
    public Task RestartAsync()
        => RunToolAsync(
            "pg_ctl",
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1", "start"],
            $"pg_ctl to restart PostgreSQL on 127.0.0.1:{Port}");

    /// <summary>The server's processes (the postmaster and its children): stopping them all stalls it without closing a connection.</summary>
    public IReadOnlyList<int> ProcessIds()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == postmaster);
        return [postmaster, .. children];
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // The process ended while we looked.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], $"pg_ctl to stop PostgreSQL on port {Port}");
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments, string what)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], _root, what, LogFile)
            : RunAsync(path, arguments, _root, what, LogFile);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, string what, string? logFile = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory, // the postgres user cannot enter root's current directory
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start '{fileName}' for {what}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"Timed out after {CommandTimeout.TotalSeconds:0} s waiting for {what} ({fileName} {string.Join(' ', arguments)}).{Tail(logFile)}");
        }

        // The server started by pg_ctl must not hold our pipes open; do not wait long for their end.
        var streams = Task.WhenAll(output, error);
        await Task.WhenAny(streams, Task.Delay(TimeSpan.FromSeconds(5)));
        if (process.ExitCode != 0)
        {
            var text = streams.IsCompletedSuccessfully ? $"{output.Result}{error.Result}".Trim() : "(output not available)";
            throw new InvalidOperationException(
                $"{what} failed with exit code {process.ExitCode} ({fileName} {string.Join(' ', arguments)}): {text}{Tail(logFile)}");
        }
    }

    private static async Task<bool> IsRootAsync()
    {
        if (Environment.UserName == "root")
        {
            return true;
        }

        var startInfo = new ProcessStartInfo("id", "-u") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(startInfo);
        if (process is null)
        {
            return false;
        }

        var uid = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return uid.Trim() == "0";
    }


    private static string ReadLog(string? logFile) => logFile is not null && File.Exists(logFile) ? File.ReadAllText(logFile) : "";

    private static string Tail(string? logFile)
    {
        var log = ReadLog(logFile);
        return log.Length == 0
            ? ""
            : string.Create(CultureInfo.InvariantCulture, $"{Environment.NewLine}Server log ({logFile}):{Environment.NewLine}{(log.Length > 4000 ? log[^4000..] : log)}");
    }
}
