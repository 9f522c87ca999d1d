using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using PointsMall.Api.Auth;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>Where the signing key comes from, and the settings that stop a node at start.</summary>
public sealed class SigningKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pointsmall-api-tests", "keys-" + Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task A_generated_key_is_written_once_and_every_node_sharing_the_folder_reads_the_same_one()
    {
        // Eight nodes starting at once, twenty times over: every time they all read one key.
        for (var round = 0; round < 20; round++)
        {
            var folder = Path.Combine(_folder, "race-" + round);
            using var start = new Barrier(8);
            var raced = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return SigningKeyFile.LoadOrCreate(folder);
            })));
            Assert.All(raced, k => Assert.Equal(raced[0], k));
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }

        var keys = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => SigningKeyFile.LoadOrCreate(_folder))));
        Assert.Equal(32, keys[0].Length);
        Assert.Equal(keys[0], SigningKeyFile.LoadOrCreate(_folder));

        // The key's name links to the one candidate that won; the others are gone.
        var link = new FileInfo(Path.Combine(_folder, AuthOptions.SigningKeyFile));
        var files = Directory.GetFiles(_folder, "*", SearchOption.TopDirectoryOnly).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$".{AuthOptions.SigningKeyFile}.", AuthOptions.SigningKeyFile], files.Select(f => f!.Length > 20 ? f[..17] : f));
        Assert.Equal(files[0], link.LinkTarget);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, files[0]!)));
        }
    }

    [Fact]
    public void A_configured_key_is_used_and_nothing_is_written()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var options = AuthOptions.From(Configuration(("Auth:SigningKey", Convert.ToBase64String(key)), ("DataProtection:KeysPath", _folder)));

        var tokens = new AccessTokens(options, TimeProvider.System);

        Assert.Equal(key, tokens.Key.Key);
        Assert.False(Directory.Exists(_folder));
    }

    [Theory]
    [InlineData("Auth:SigningKey", "c2hvcnQ=")]
    [InlineData("Auth:SigningKey", "not base64 at all!")]
    [InlineData("Auth:AccessTokenLifetime", "0")]
    [InlineData("Auth:AccessTokenLifetime", "soon")]
    [InlineData("Auth:RefreshTokenLifetime", "-1.00:00:00")]
    [InlineData("Auth:RevocationRefresh", "00:00:00")]
    [InlineData("Auth:ClockSkew", "-00:00:01")]
    public void A_setting_that_cannot_work_stops_the_node_at_start_with_its_name(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuthOptions.From(Configuration((key, value))));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_are_read_as_time_spans_and_default_to_fifteen_minutes_and_fourteen_days()
    {
        var defaults = AuthOptions.From(Configuration());
        var set = AuthOptions.From(Configuration(("Auth:AccessTokenLifetime", "00:05:00"), ("Auth:ClockSkew", "00:00:00")));

        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromDays(14), TimeSpan.FromSeconds(2)), (defaults.AccessTokenLifetime, defaults.RefreshTokenLifetime, defaults.RevocationRefresh));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.Zero), (set.AccessTokenLifetime, set.ClockSkew));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
