using System.Net;
using PointsMall.Api.Tests.Hosting;
using Xunit;

namespace PointsMall.Api.Tests.Deploy;

/// <summary>
/// The deploy README's first step, <c>dotnet publish src/PointsMall.Api -c Release -o DIR</c>, and the published app
/// started the way the systemd unit starts it: <c>dotnet DIR/PointsMall.Api.dll</c> from another working directory.
/// </summary>
public sealed class PublishedAppTests : IDisposable
{
    private static readonly TimeSpan Publish = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);

    private readonly string _root = Directory.CreateTempSubdirectory("pointsmall-publish-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    [Fact]
    public async Task The_published_app_started_from_another_directory_serves_the_mall_the_console_and_the_docs()
    {
        var output = Path.Combine(_root, "app");
        var project = Path.Combine(Path.GetDirectoryName(DeployFiles.Directory)!, "src", "PointsMall.Api", "PointsMall.Api.csproj");

        // --no-build: the test run has just built the API in this configuration; publishing only lays it out.
        var (exitCode, log) = await DeployFiles.RunAsync("dotnet", ["publish", project, "-c", Configuration, "--no-build", "-o", output, "-nologo"], Publish);
        Assert.True(exitCode == 0, $"dotnet publish exited with {exitCode}:\n{log}");
        Assert.True(File.Exists(Path.Combine(output, "wwwroot", "index.html")), "The published app has no wwwroot/index.html.");

        var data = Directory.CreateDirectory(Path.Combine(_root, "var-lib-pointsmall")).FullName;
        await using var api = ApiProcess.Start(data, new Dictionary<string, string?> { ["POINTSMALL_ADMIN_PASSWORD"] = "published-admin-password" },
            publishedAssembly: Path.Combine(output, "PointsMall.Api.dll"));
        await api.WaitUntilReadyAsync(Startup);

        await AssertServesAsync(api.Client, "/", "<html");
        await AssertServesAsync(api.Client, "/admin", "<html");
        await AssertServesAsync(api.Client, "/docs/", "swagger");
        Assert.True(File.Exists(Path.Combine(data, "pointsmall.db")), "The SQLite file was not created where Storage:Sqlite:Path points.");
    }

    private static async Task AssertServesAsync(HttpClient client, string path, string expected)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
        Assert.Contains(expected, body, StringComparison.OrdinalIgnoreCase);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
