using Xunit;

namespace PointsMall.Api.Tests.Deploy;

/// <summary>deploy/systemd/pointsmall.service is a valid, hardened unit for the all-in-one host.</summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pointsmall-systemd-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_unit_runs_the_api_as_a_dedicated_user_with_its_data_secrets_and_hardening()
    {
        var unit = Parse(File.ReadAllLines(DeployFiles.PathOf("systemd/pointsmall.service")));

        Assert.Equal("pointsmall", Single(unit, "Service", "User"));
        Assert.Equal("/var/lib/pointsmall", Single(unit, "Service", "WorkingDirectory"));
        Assert.Equal("pointsmall", Single(unit, "Service", "StateDirectory"));
        Assert.Matches(@"^\S*dotnet \S*/PointsMall\.Api\.dll\b", Single(unit, "Service", "ExecStart"));
        Assert.Contains(unit["Service"], kv => kv.Key == "EnvironmentFile" && kv.Value.EndsWith("/etc/pointsmall/pointsmall.env", StringComparison.Ordinal));
        Assert.DoesNotContain(unit["Service"], kv => kv.Value.Contains("POINTSMALL_ADMIN_PASSWORD", StringComparison.Ordinal));
        Assert.Contains(unit["Service"], kv => kv.Key == "Environment" && kv.Value.StartsWith("Storage__Sqlite__Path=/var/lib/pointsmall/", StringComparison.Ordinal));
        Assert.Contains(unit["Service"], kv => kv.Key == "Environment" && kv.Value.StartsWith("DataProtection__KeysPath=/var/lib/pointsmall/", StringComparison.Ordinal));
        Assert.Equal("on-failure", Single(unit, "Service", "Restart"));
        Assert.Equal("strict", Single(unit, "Service", "ProtectSystem"));
        Assert.Equal("yes", Single(unit, "Service", "NoNewPrivileges"));
        Assert.Equal("yes", Single(unit, "Service", "PrivateTmp"));
        Assert.Equal("yes", Single(unit, "Service", "ProtectHome"));
        Assert.Equal("multi-user.target", Single(unit, "Install", "WantedBy"));
        Assert.Contains(unit["Unit"], kv => kv.Key == "After" && kv.Value.Contains("network-online.target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_unit_passes_systemd_analyze_verify_when_systemd_is_present()
    {
        var analyze = DeployFiles.FindTool("systemd-analyze", "/usr/bin/systemd-analyze", "/bin/systemd-analyze");
        if (analyze is null)
        {
            // No systemd here (a minimal container): the key check above is what can run.
            return;
        }

        // ExecStart must name an executable that exists: use this machine's dotnet host.
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host
            : DeployFiles.FindTool("dotnet", "/usr/bin/dotnet", "/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet")
            ?? throw new InvalidOperationException("No dotnet host found to put in ExecStart.");
        var unit = File.ReadAllText(DeployFiles.PathOf("systemd/pointsmall.service")).Replace("/usr/bin/dotnet", dotnet, StringComparison.Ordinal);
        var path = Path.Combine(_directory, "pointsmall.service");
        await File.WriteAllTextAsync(path, unit);

        var (exitCode, output) = await DeployFiles.RunAsync(analyze, ["verify", path], TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"systemd-analyze verify failed ({exitCode}):\n{output}");
        // Unknown keys and bad values are only warnings to systemd; for us they are failures.
        Assert.DoesNotContain(output.Split('\n'), line => line.Contains("pointsmall.service", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("pointsmall-silo@.service", "PointsMall.Silo.dll")]
    [InlineData("pointsmall-api@.service", "PointsMall.Api.dll --role api")]
    public async Task The_cluster_templates_run_each_instance_with_the_shared_and_its_own_settings(string template, string runs)
    {
        var unit = Parse(File.ReadAllLines(DeployFiles.PathOf("systemd/" + template)));

        Assert.Equal("pointsmall", Single(unit, "Service", "User"));
        Assert.EndsWith(runs, Single(unit, "Service", "ExecStart"), StringComparison.Ordinal);
        var files = unit["Service"].Where(kv => kv.Key == "EnvironmentFile").Select(kv => kv.Value).ToList();
        Assert.Contains("/etc/pointsmall/cluster.env", files);
        Assert.Contains(files, f => f.Contains("-%i.env", StringComparison.Ordinal));
        Assert.Contains(unit["Service"], kv => kv is { Key: "Environment", Value: "Orleans__Membership=adonet" });
        Assert.Contains(unit["Service"], kv => kv is { Key: "Environment", Value: "Storage__Provider=postgresql" });
        Assert.Equal("strict", Single(unit, "Service", "ProtectSystem"));
        Assert.Equal("on-failure", Single(unit, "Service", "Restart"));

        var analyze = DeployFiles.FindTool("systemd-analyze", "/usr/bin/systemd-analyze", "/bin/systemd-analyze");
        if (analyze is null)
        {
            return; // No systemd here: the key checks above are what can run.
        }

        // An instance of the template, with this machine's dotnet host in ExecStart (it must exist).
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host
            : DeployFiles.FindTool("dotnet", "/usr/bin/dotnet", "/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet")
            ?? throw new InvalidOperationException("No dotnet host found to put in ExecStart.");
        var text = File.ReadAllText(DeployFiles.PathOf("systemd/" + template)).Replace("/usr/bin/dotnet", dotnet, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_directory, template), text);
        var instance = Path.Combine(_directory, template.Replace("@.", "@1.", StringComparison.Ordinal));
        await File.WriteAllTextAsync(instance, text);

        var (exitCode, output) = await DeployFiles.RunAsync(analyze, ["verify", instance], TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"systemd-analyze verify failed ({exitCode}):\n{output}");
        Assert.DoesNotContain(output.Split('\n'), line => line.Contains(Path.GetFileName(instance), StringComparison.Ordinal));
    }

    private static Dictionary<string, List<KeyValuePair<string, string>>> Parse(string[] lines)
    {
        var sections = new Dictionary<string, List<KeyValuePair<string, string>>>();
        List<KeyValuePair<string, string>>? current = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = sections[line.Trim('[', ']')] = [];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(current is not null && equals > 0, $"'{line}' is not a key=value line inside a section");
            current!.Add(new(line[..equals], line[(equals + 1)..]));
        }

        return sections;
    }

    private static string Single(Dictionary<string, List<KeyValuePair<string, string>>> unit, string section, string key)
    {
        Assert.True(unit.ContainsKey(section), $"the unit has a [{section}] section");
        return Assert.Single(unit[section], kv => kv.Key == key).Value;
    }
}
