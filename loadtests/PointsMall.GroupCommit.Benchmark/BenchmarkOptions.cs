using System.Globalization;

namespace PointsMall.GroupCommit.Benchmark;

internal sealed record BenchmarkOptions(TimeSpan Duration, int Callers, int Keys, IReadOnlyList<string> Stores, IReadOnlyList<string> Grains, string Postgres, string Output)
{
    /// <summary>Orleans' own <c>AddMemoryGrainStorage</c>; the others are the group-commit storage over that project store.</summary>
    public const string OrleansMemory = "orleans-memory";

    /// <summary>Orleans' own ADO.NET grain storage (<c>AddAdoNetGrainStorage</c>): one transaction per grain write.</summary>
    public const string AdoNetSqlite = "adonet-sqlite";

    public const string AdoNetPostgreSql = "adonet-postgresql";

    public static readonly IReadOnlyList<string> AllStores = [OrleansMemory, "memory", "sqlite", "postgresql", AdoNetSqlite, AdoNetPostgreSql];

    /// <summary>Stores whose grain storage is not the group-commit one, so the pipelined grain's facet is missing.</summary>
    public static bool IsStock(string store) => store is OrleansMemory or AdoNetSqlite or AdoNetPostgreSql;

    public static bool NeedsPostgres(string store) => store is "postgresql" or AdoNetPostgreSql;

    public static readonly IReadOnlyList<string> AllGrains = ["awaiting", "pipelined"];

    public const string Usage =
        "Options: --duration SECONDS (5) --callers N (1000) --keys N (100000) " +
        "--stores orleans-memory,memory,sqlite,postgresql,adonet-sqlite,adonet-postgresql --grains awaiting,pipelined " +
        "--postgres auto|none|CONNECTION-STRING --output FILE (results/groupcommit-TIME.json)";

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
            if (name is not ("duration" or "callers" or "keys" or "stores" or "grains" or "postgres" or "output") || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'. {Usage}");
            }

            values[name] = args[++i];
        }

        string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
        var options = new BenchmarkOptions(
            TimeSpan.FromSeconds(double.Parse(Get("duration", "5"), CultureInfo.InvariantCulture)),
            int.Parse(Get("callers", "1000"), CultureInfo.InvariantCulture),
            int.Parse(Get("keys", "100000"), CultureInfo.InvariantCulture),
            List(Get("stores", string.Join(',', AllStores)), AllStores, "store"),
            List(Get("grains", string.Join(',', AllGrains)), AllGrains, "grain"),
            Get("postgres", "auto"),
            Get("output", Path.Combine("results", $"groupcommit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json")));
        if (options.Duration <= TimeSpan.Zero || options.Callers < 1 || options.Keys < 1)
        {
            throw new ArgumentException($"--duration, --callers and --keys must be positive. {Usage}");
        }

        return options;
    }

    private static string[] List(string value, IReadOnlyList<string> known, string what)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var item in items.Where(i => !known.Contains(i)))
        {
            throw new ArgumentException($"Unknown {what} '{item}' (one of {string.Join(", ", known)}).");
        }

        // In a fixed order whatever the command line's, so runs print and compare alike.
        return known.Where(items.Contains).ToArray();
    }
}
