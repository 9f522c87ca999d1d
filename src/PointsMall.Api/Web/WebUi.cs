using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using PointsMall.Api.Infrastructure;

namespace PointsMall.Api.Web;

/// <summary>
/// Serves the shopper mall (<c>/</c>) and the admin console (<c>/admin</c>) from wwwroot: plain HTML, CSS and ES
/// modules, no build step. Both are single-page apps with history routing: their routes answer with the shell page,
/// and only those routes, so /api, /health, /docs and /openapi are never shadowed (unknown paths stay 404 problems).
/// </summary>
public static class WebUi
{
    /// <summary>The mall's client-side routes; listed (not a catch-all) so no API path can ever fall through to HTML.</summary>
    private static readonly string[] MallRoutes =
    [
        "/", "/search", "/products/{**rest}", "/orders/{**rest}", "/points", "/checkin", "/lottery/{**rest}",
        "/login", "/register", "/reset", "/login-code", "/me", "/me/draws", "/inbox", "/coupons", "/tasks", "/rules",
    ];

    /// <summary>
    /// The content root when none is given: the working directory if it holds the web root (<c>dotnet run</c> in the
    /// project folder), else the application's own folder when that does (a published app started elsewhere, such as
    /// the systemd unit's <c>/var/lib/pointsmall</c>), so the mall, the console and appsettings.json are found either way.
    /// </summary>
    public static string? DefaultContentRoot(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var given = args.Any(a => a.TrimStart('-').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        if (given || Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot")))
        {
            return null;
        }

        return Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot")) ? AppContext.BaseDirectory : null;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Only answers requests no endpoint matched, so it cannot shadow an API route.
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                // No fingerprinted file names without a build step: revalidate every time (cheap with ETags).
                context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });

        foreach (var route in MallRoutes)
        {
            app.MapGet(route, (IWebHostEnvironment env) => Shell(env, "index.html")).ExcludeFromDescription();
        }

        app.MapGet("/admin/{**rest}", (IWebHostEnvironment env) => Shell(env, "admin/index.html")).ExcludeFromDescription();
        return app;
    }

    private static IResult Shell(IWebHostEnvironment env, string file)
    {
        var info = env.WebRootFileProvider.GetFileInfo(file);
        if (!info.Exists || info is NotFoundFileInfo)
        {
            return ApiProblems.NotFound("The web UI");
        }

        return new ShellResult(info);
    }

    /// <summary>The shell page, never cached: it names the modules, which may change on any deploy.</summary>
    private sealed class ShellResult(IFileInfo file) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            httpContext.Response.Headers[HeaderNames.CacheControl] = "no-cache";
            httpContext.Response.ContentLength = file.Length;
            if (HttpMethods.IsHead(httpContext.Request.Method))
            {
                return;
            }

            await using var stream = file.CreateReadStream();
            await stream.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted);
        }
    }
}
