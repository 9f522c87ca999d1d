using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using PointsMall.Api.Auth;
using PointsMall.Contracts.Operators;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Operators;

/// <summary>Reads the state an admin route changes, for the audit's before → after (null when there is none).</summary>
public delegate Task<object?> AuditSnapshot(HttpContext context, IGrainFactory grains);

/// <summary>Endpoint metadata: how to read the target of this route before and after it runs.</summary>
public sealed record AuditTarget(AuditSnapshot Snapshot);

/// <summary>Endpoint metadata: a POST that changes nothing (a preview), so it is no write to record.</summary>
public sealed record NotAWrite;

/// <summary>
/// The audit log of admin writes. Every request with a method other than GET or HEAD to an admin route, by a
/// signed-in operator, is recorded once it has been answered: who, from where, which route and target, the request
/// (password fields removed), the status, and, when the route names an <see cref="AuditTarget"/>, the target as it
/// was before and after. A middleware rather than a filter per route, so a new admin route is audited without
/// anyone remembering to; the entry is written before the response completes, so an acknowledged change is never
/// missing from the log (a failed audit write is logged and the answer still goes out: the change has happened).
/// </summary>
public static partial class AdminAudit
{
    public const string AdminPrefix = "/api/v1/admin";

    /// <summary>Bounds of the JSON kept per entry: admin requests and the states they touch are small.</summary>
    public const int MaxJsonLength = 8 * 1024;

    /// <summary>Web JSON that keeps Chinese and other text readable (HTML-sensitive characters stay escaped).</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>The route's target, read before and after for the audit entry.</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, AuditSnapshot snapshot) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new AuditTarget(snapshot));

    /// <summary>Marks an admin POST that only computes an answer (changes nothing): the audit log leaves it out.</summary>
    public static TBuilder ChangesNothing<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new NotAWrite());

    /// <summary>A route value that can name a grain (an id of the usual shape), or null.</summary>
    public static string? RouteId(HttpContext context, string name = "id")
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.RouteValues.TryGetValue(name, out var value) && value is string id && Infrastructure.Identifiers.IsToken(id) ? id : null;
    }

    public static IApplicationBuilder UseAdminAudit(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            if (!IsAdminWrite(context) || AuthClaims.SubjectOf(context.User) is not { } login || !context.User.IsInRole(AuthClaims.AdminRole))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
            var target = context.GetEndpoint()?.Metadata.GetMetadata<AuditTarget>();
            var request = await ReadRequestAsync(context).ConfigureAwait(false);
            var before = target is null ? null : await SnapshotAsync(target, context, grains).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
            var after = target is null || context.Response.StatusCode >= 400 ? before : await SnapshotAsync(target, context, grains).ConfigureAwait(false);
            await RecordAsync(context, grains, login, request, before, after).ConfigureAwait(false);
        });
    }

    private static bool IsAdminWrite(HttpContext context)
        => !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
           && context.Request.Path.StartsWithSegments(AdminPrefix, StringComparison.OrdinalIgnoreCase)
           && context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<NotAWrite>() is null;

    private static async Task RecordAsync(HttpContext context, IGrainFactory grains, string login, string? request, string? before, string? after)
    {
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var at = time.GetUtcNow();
        var endpoint = context.GetEndpoint();
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? endpoint?.DisplayName ?? "unknown";
        var target = string.Join(' ', context.Request.RouteValues.Where(v => v.Value is string).Select(v => $"{v.Key}={v.Value}"));
        var role = OperatorPermissions.RoleOf(context.User) is { } r ? OperatorRoles.NameOf(r) : "";
        var id = string.Create(CultureInfo.InvariantCulture, $"{at.UtcTicks:D19}-{Guid.NewGuid():n}");
        var entry = new AuditEntry(id, at, login, role, action, context.Request.Method, context.Request.Path.Value ?? "", target, context.Response.StatusCode,
            context.Connection.RemoteIpAddress?.ToString(), request, before, after);
        try
        {
            await grains.GetGrain<IAuditEntryGrain>(id).RecordAsync(entry).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminAudit)), ex, action, login);
        }
    }

    /// <summary>The request body as compact JSON with every password field removed; the body stays readable for the endpoint.</summary>
    private static async Task<string?> ReadRequestAsync(HttpContext context)
    {
        if (context.Request.ContentLength is 0 || !(context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return null;
        }

        context.Request.EnableBuffering();
        var buffer = new byte[MaxJsonLength + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await context.Request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        context.Request.Body.Position = 0;
        if (read > MaxJsonLength)
        {
            return "(request larger than the audit keeps)";
        }

        try
        {
            return JsonNode.Parse(buffer.AsSpan(0, read)) is { } node ? Bounded(WithoutSecrets(node).ToJsonString(Json)) : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or DecoderFallbackException)
        {
            // Malformed, too deep, or text JSON cannot carry (a lone surrogate): the endpoint refuses it; the audit says so.
            return "(not valid JSON)";
        }
    }

    private static async Task<string?> SnapshotAsync(AuditTarget target, HttpContext context, IGrainFactory grains)
    {
        try
        {
            return await target.Snapshot(context, grains).ConfigureAwait(false) is { } state
                ? Bounded(WithoutSecrets(JsonSerializer.SerializeToNode(state, state.GetType(), Json)!).ToJsonString(Json))
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // A malformed id in the path, say: the route answers it; the audit records no state.
            return null;
        }
    }

    /// <summary>Removes every property whose name mentions a password or a secret, at any depth.</summary>
    internal static JsonNode WithoutSecrets(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
                        || name.Contains("token", StringComparison.OrdinalIgnoreCase))
                    {
                        obj.Remove(name);
                    }
                    else if (obj[name] is { } child)
                    {
                        WithoutSecrets(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        WithoutSecrets(item);
                    }
                }

                break;
        }

        return node;
    }

    private static string Bounded(string json)
        => json.Length <= MaxJsonLength ? json : new StringBuilder(json, 0, MaxJsonLength - 1, MaxJsonLength).Append('…').ToString();

    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "The audit entry of {Action} by operator {Operator} could not be written")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception, string action, string @operator);
}
