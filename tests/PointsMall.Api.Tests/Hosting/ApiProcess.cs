using PointsMall.Testing;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>The built PointsMall.Api as a real child process (<see cref="HostProcess"/>) on a free loopback port.</summary>
internal static class ApiProcess
{
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
    public static HostProcess Start(string dataDirectory, IReadOnlyDictionary<string, string?> environment, string? publishedAssembly = null)
    {
        // The co-hosted silo's ports: the defaults would collide with the other hosts the test run starts.
        var arguments = FreePorts.OrleansSettings().SelectMany(s => new[] { "--" + s.Key, s.Value! }).ToList();
        if (publishedAssembly is null)
        {
            arguments.InsertRange(0, ["--contentRoot", AppContext.BaseDirectory]);
        }

        var settings = new Dictionary<string, string?>
        {
            ["Storage__Provider"] = "sqlite",
            ["Storage__Sqlite__Path"] = Path.Combine(dataDirectory, "pointsmall.db"),
            ["DataProtection__KeysPath"] = Path.Combine(dataDirectory, "keys"),
            ["Demo__Seed"] = "false",
        };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }

        return HostProcess.Start("the API", publishedAssembly ?? ApiAssembly, dataDirectory, arguments, settings);
    }
}
