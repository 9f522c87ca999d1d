using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Tests.Hosting;
using Xunit;

namespace PointsMall.Api.Tests.OpenApi;

/// <summary>
/// The OpenAPI document is what a generated client is built from: every route must be in it, each operation with an
/// id, a summary, its success response and the problem codes it can answer. A route mapped without that metadata
/// fails here. The host has the dashboard on, so its session routes are checked too.
/// </summary>
public sealed class OpenApiDocumentTests(DashboardApi host) : IClassFixture<DashboardApi>
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_a_success_response_and_its_problem_codes()
    {
        var document = await DocumentAsync();
        var table = document.GetProperty(ApiDocument.ProblemCodesExtension).EnumerateArray()
            .ToDictionary(c => c.GetProperty("code").GetString()!, c => c.GetProperty("status").GetInt32());
        var faults = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);

        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 55, $"only {operations.Count} operations in the document");
        foreach (var (name, operation) in operations)
        {
            var id = operation.TryGetProperty("operationId", out var idElement) ? idElement.GetString() : null;
            if (string.IsNullOrWhiteSpace(id) || !ids.Add(id))
            {
                faults.Add($"{name}: operationId '{id}' is missing or not unique");
            }

            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                faults.Add($"{name}: no summary");
            }

            var responses = operation.GetProperty("responses");
            if (!responses.EnumerateObject().Any(r => r.Name.StartsWith('2')))
            {
                faults.Add($"{name}: no 2xx response");
            }

            if (!operation.TryGetProperty(ApiDocument.ProblemCodesExtension, out var codes) || codes.GetArrayLength() == 0)
            {
                faults.Add($"{name}: no problem codes");
                continue;
            }

            foreach (var code in codes.EnumerateArray().Select(c => c.GetString()!))
            {
                if (!table.TryGetValue(code, out var status))
                {
                    faults.Add($"{name}: code {code} is not in the document's table");
                }
                else if (!responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
                    || !response.TryGetProperty(ApiDocument.ProblemCodesExtension, out var listed)
                    || !listed.EnumerateArray().Any(c => c.GetString() == code)
                    || !response.GetProperty("description").GetString()!.Contains(code, StringComparison.Ordinal)
                    || !response.GetProperty("content").TryGetProperty("application/problem+json", out _))
                {
                    faults.Add($"{name}: the {status} response does not describe {code} as a problem+json");
                }
            }
        }

        Assert.True(faults.Count == 0, string.Join(Environment.NewLine, faults));
    }

    [Fact]
    public async Task Every_route_the_app_maps_is_in_the_document()
    {
        var document = await DocumentAsync();
        var documented = Operations(document).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var mapped = 0;
        foreach (var endpoint in host.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // Endpoints that answer no particular method (health checks, the metrics branch) are not API routes.
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods)
            {
                continue;
            }

            var path = Normalise(endpoint.RoutePattern.RawText ?? "");
            if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true })
            {
                Assert.False(path.StartsWith("/api/", StringComparison.Ordinal), $"{path} is an API route hidden from the document");
                continue;
            }

            foreach (var method in methods.HttpMethods)
            {
                mapped++;
                if (!documented.Contains($"{method.ToUpperInvariant()} {path}"))
                {
                    missing.Add($"{method} {path}");
                }
            }
        }

        Assert.True(mapped >= 55, $"only {mapped} routes found");
        Assert.True(missing.Count == 0, "Not in the OpenAPI document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Routes_that_need_a_token_carry_the_bearer_scheme_and_the_document_lists_every_code()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiDocument.BearerScheme);
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var operations = Operations(document).ToDictionary(o => o.Name, o => o.Operation);
        Assert.True(HasBearer(operations["POST /api/v1/redemptions"]));
        Assert.True(HasBearer(operations["GET /api/v1/admin/members"]));
        Assert.False(HasBearer(operations["GET /api/v1/products"]));
        Assert.False(HasBearer(operations["POST /api/v1/auth/login"]));

        var redeem = operations["POST /api/v1/redemptions"].GetProperty(ApiDocument.ProblemCodesExtension).EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Superset(
            new HashSet<string?> { "validation_failed", "unauthorized", "forbidden", "not_found", "sold_out", "insufficient_points", "limit_exceeded", "not_on_sale", "tier_required", "rate_limited", "unavailable" },
            redeem.ToHashSet());

        var codes = document.GetProperty(ApiDocument.ProblemCodesExtension).EnumerateArray().Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.Equal(ApiProblems.Codes.Select(c => c.Code), codes);
        var description = document.GetProperty("info").GetProperty("description").GetString()!;
        Assert.All(ApiProblems.Codes, c => Assert.Contains($"| `{c.Code}` | {c.Status} |", description, StringComparison.Ordinal));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = host.Api.CreateClient();
        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                yield return ($"{operation.Name.ToUpperInvariant()} {Normalise(path.Name)}", operation.Value);
            }
        }
    }

    private static bool HasBearer(JsonElement operation)
        => operation.TryGetProperty("security", out var security)
            && security.EnumerateArray().Any(r => r.TryGetProperty(ApiDocument.BearerScheme, out _));

    /// <summary>A route as the document writes it: one leading slash, none trailing.</summary>
    private static string Normalise(string path) => "/" + path.Trim('/');
}
