using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PointsMall.Testing;

namespace PointsMall.Web.Tests.Support;

/// <summary>
/// The all-in-one host (API + silo + web UI) listening on a real loopback port (Kestrel, free port), over a SQLite
/// file in a temp folder with a known admin password and no demo data, plus Debian's headless chromium driven by
/// Playwright. One per test class.
/// </summary>
#pragma warning disable CA1001 // xunit disposes fixtures through IAsyncLifetime.DisposeAsync, which releases the factory.
public sealed class WebAppFixture : IAsyncLifetime
#pragma warning restore CA1001
{
    public const string AdminPassword = "admin-e2e-password";

    /// <summary>Debian's chromium; POINTSMALL_CHROMIUM overrides it. A browser is never downloaded.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("POINTSMALL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-web-tests", Guid.NewGuid().ToString("n"));
    private MallFactory? _factory;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The running app's services (to hand over what a node reports on a timer, at the moment a test needs it).</summary>
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The app is not started.");

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>What the browser refused under the pages' content security policy, on any page this fixture opened.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CspViolations { get; } = new();

    /// <summary>Where the screenshots go: artifacts/screenshots under the test output folder.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Debian's chromium at {ChromiumPath} (install it with `apt-get install chromium`, " +
                "or point POINTSMALL_CHROMIUM at a chromium binary). They never download a browser.");
        }

        Directory.CreateDirectory(_directory);
        Directory.CreateDirectory(ScreenshotDirectory);
        _factory = new MallFactory(_directory);
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The test server started without a listening address.");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--disable-extensions", "--mute-audio",
            ],
        });
    }

    /// <summary>A fresh browser context (its own storage, so its own session) and a page in it.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
        });
        // The test run shares two cores with the other test assemblies: actions and expectations wait for the same
        // bound (Playwright's expectations default to 5 s, which a busy machine exceeded).
        context.SetDefaultTimeout(15_000);
        Assertions.SetDefaultExpectTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                CspViolations.Enqueue($"{page.Url}: {message.Text}");
            }
        };
        return page;
    }

    /// <summary>Saves a full-page screenshot as artifacts/screenshots/{name}.png and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }

    private sealed class MallFactory(string directory) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Storage:Provider", "sqlite");
            builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "web.db"));
            builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            builder.UseSetting("Admin:Password", AdminPassword);
            builder.UseSetting("Demo:Seed", "false");
            // The console links to the Orleans Dashboard; the browser tests open it as an operator would.
            builder.UseSetting("Dashboard:Enabled", "true");
            builder.UseFreeOrleansPorts();
        }
    }
}
