using Microsoft.Extensions.Primitives;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// Browser-facing protections on every response, set as it starts so refusals and faults carry them too:
/// a content security policy per kind of response, no MIME sniffing, no framing, no referrer leaks, no powerful
/// browser features. HSTS belongs to whatever terminates TLS (nginx in the deploy files), not to this plain-HTTP
/// node. Constant header values: the cost per request is one callback and a few dictionary writes.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The mall and the console: ES modules, stylesheets and fonts from this origin only, no inline script or style
    /// (the pages set styles through the DOM, which a policy does not restrict), images from here or data: URIs.
    /// </summary>
    public const string AppPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Swagger UI (<c>/docs</c>) and the Orleans Dashboard (<c>/dashboard</c>): the same, except that both render
    /// with inline style attributes, and their icon fonts and images may be data: URIs.
    /// </summary>
    public const string ToolPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>API answers are data: nothing in them may load, run or be framed, even if a browser renders one.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    private static readonly StringValues App = AppPolicy;
    private static readonly StringValues Tool = ToolPolicy;
    private static readonly StringValues Api = ApiPolicy;
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    private static readonly StringValues SameOrigin = "same-origin";
    private static readonly StringValues NoFeatures = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use((context, next) =>
        {
            // When the response starts, not now: the exception handler clears the headers before it writes a problem.
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = PolicyFor(context.Request.Path);
                headers.XContentTypeOptions = NoSniff;
                headers.XFrameOptions = Deny;
                headers["Referrer-Policy"] = NoReferrer;
                headers["Cross-Origin-Opener-Policy"] = SameOrigin;
                headers["Cross-Origin-Resource-Policy"] = SameOrigin;
                headers["Permissions-Policy"] = NoFeatures;
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
    }

    /// <summary>The policy for a request path: API answers, the two operator tools, or the mall and console.</summary>
    public static StringValues PolicyFor(PathString path)
        => path.StartsWithSegments("/api") ? Api
            : path.StartsWithSegments("/docs") || path.StartsWithSegments("/dashboard") ? Tool
            : App;
}
