using Microsoft.AspNetCore.Authentication;
using Orleans.Dashboard;
using PointsMall.Api.Auth;
using PointsMall.Hosting;

namespace PointsMall.Api.Infrastructure;

/// <summary>
/// The Orleans Dashboard at <c>/dashboard</c> for operators, when <c>Dashboard:Enabled</c> (see
/// <see cref="OperatorDashboard"/>): in the all role it reads the co-hosted silo and the cluster, in the api role it asks
/// the silos through the client. Every page and data call needs the admin role. A browser cannot put a bearer token on
/// a page load or on the dashboard's own data calls, so the admin console trades its token for a cookie that only
/// <c>/dashboard</c> accepts (<c>POST /api/v1/admin/dashboard/session</c>): HttpOnly, SameSite=Strict, Path=/dashboard,
/// at most 12 hours, and only while the session of the token it was given for lasts (a sign-out or a revocation ends it).
/// Everything the dashboard serves is a GET that reads.
/// </summary>
public static class DashboardEndpoint
{
    public const string Path = "/dashboard";

    /// <summary>The admin role, from a bearer token or the dashboard cookie.</summary>
    public const string Policy = "dashboard";

    public const string CookieScheme = "Dashboard";

    internal static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(12);

    public static AuthenticationBuilder AddDashboardCookie(this AuthenticationBuilder authentication)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        return authentication.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = "pointsmall.dashboard";
            o.Cookie.Path = Path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = CookieLifetime;
            o.SlidingExpiration = false;

            // The cookie names the session it was given for: signing out of it, or any revocation of it, ends the cookie too.
            o.Events.OnValidatePrincipal = async c =>
            {
                var sessionId = c.Principal?.FindFirst(AuthClaims.SessionId)?.Value;
                if (sessionId is null || await c.HttpContext.RequestServices.GetRequiredService<SessionRevocations>().IsRevokedAsync(sessionId, c.HttpContext.RequestAborted).ConfigureAwait(false))
                {
                    c.RejectPrincipal();
                }
            };

            // The API's convention: 401 and 403 problems, never a redirect to a login page.
            o.Events.OnRedirectToLogin = c => SetStatus(c.Response, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => SetStatus(c.Response, StatusCodes.Status403Forbidden);
        });
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!OperatorDashboard.Enabled(app.Configuration))
        {
            return app;
        }

        app.MapOrleansDashboard(Path).RequireAuthorization(Policy).ExcludeFromDescription();

        var session = app.MapGroup("/api/v1/admin/dashboard/session").RequireAuthorization(ApiSetup.AdminPolicy).WithTags("Admin: dashboard")
            .WithProblemResponses();
        session.MapPost("", async (HttpContext context) =>
        {
            var sessionId = context.User.FindFirst(AuthClaims.SessionId)?.Value ?? "";
            var login = AuthClaims.SubjectOf(context.User) ?? AuthEndpoints.AdminLogin;
            await context.SignInAsync(CookieScheme, AuthEndpoints.Principal(login, AuthClaims.AdminRole, sessionId, CookieScheme)).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithName("OpenDashboardSession").WithSummary("Gives this browser the cookie that opens /dashboard (admin token required).");
        session.MapDelete("", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieScheme).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithName("CloseDashboardSession").WithSummary("Removes the /dashboard cookie.");
        return app;
    }

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
