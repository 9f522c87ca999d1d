using System.Globalization;
using System.Text;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PointsMall.Api.Tests.Security;

/// <summary>
/// Hostile requests generated from the OpenAPI document: every operation, with a field of the wrong type, extreme
/// numbers, huge or broken strings (a lone surrogate, control characters), deep nesting, malformed JSON, odd path
/// ids, odd query values and bad <c>Idempotency-Key</c> headers, as anonymous, a member and an operator. No answer
/// may be a 5xx, every refusal must be a problem+json with a stable <c>code</c>, and a refused write must change
/// nothing the caller can see. <c>POINTSMALL_FUZZ_REQUESTS</c> sets the count (CI runs 1,500; the long run is
/// 100,000 or more), <c>POINTSMALL_FUZZ_SEED</c> the seed.
/// </summary>
public sealed class OpenApiFuzzTests(ApiFactory factory, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private static readonly string[] HostileStrings =
    [
        "", " ", new('x', 100_000), "\ud800", "a\udc00b", "\u0000\u0001\u001f", "' OR 1=1 --", "../../etc/passwd", "%00", "{{7*7}}",
        "<script>alert(1)</script>", "💥🎉", "9999999999999999999999999", "-1", "NaN", "true", "null",
    ];

    private static readonly string[] HostileJson =
    [
        "9223372036854775807", "-9223372036854775808", "92233720368547758070", "1e308", "-1e308", "0.0000001", "-0", "3.5",
        "true", "null", "[]", "{}", "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":1}}}", "\"\\ud800\"", "-1", "0", "2147483648",
    ];

    private static readonly string[] BrokenBodies =
    [
        "{", "[1,", "\"", "nul", "{\"a\":}", "{'a':1}", "\u0000", "{\"a\":1}}", "[]", "123", "\"text\"",
        new string('[', 5_000) + new string(']', 5_000), "{\"x\":" + new string('[', 200) + new string(']', 200) + "}",
    ];

    private static readonly string[] OddIds =
    [
        "..", "%2e%2e", new('a', 5_000), "中文", "%F0%9F%92%A5", "'%20OR%201=1", "-1", "0", "a%2Fb", "%20", "null",
    ];

    [Fact]
    public async Task Hostile_requests_from_the_openapi_document_never_fault_and_every_refusal_is_a_problem_that_changes_nothing()
    {
        var requests = int.TryParse(Environment.GetEnvironmentVariable("POINTSMALL_FUZZ_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 1_500;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POINTSMALL_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261207;
        var random = new Random(seed);

        using var anonymous = factory.CreateClient();
        var (memberId, member) = await factory.NewMemberAsync();
        using var admin = await factory.AdminClientAsync();

        // The snapshots read through a session of their own, so nothing the fuzzing operator does can lock them out.
        using var auditor = await factory.AdminClientAsync();
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        // Signing out would end the fuzzing callers' own sessions (it has tests of its own).
        var operations = Operations(document.RootElement).Where(o => o.Path != "/api/v1/auth/logout").ToList();
        Assert.NotEmpty(operations);

        var faults = new List<string>();
        var statuses = new Dictionary<int, int>();
        var before = await SnapshotAsync(auditor, memberId);
        for (var i = 0; i < requests && faults.Count < 20; i++)
        {
            var operation = operations[random.Next(operations.Count)];
            // Mostly the caller the route is for, so most requests get past authorization to the input handling.
            var role = random.Next(4) != 0 ? operation.Role : random.Next(3);
            var (caller, who) = role switch { 0 => (anonymous, "anonymous"), 1 => (member, "member"), _ => (admin, "operator") };
            using var request = Hostile(operation, random);
            var described = $"#{i} {who} {request.Method} {Shorten(request.RequestUri!.OriginalString)}";
            using var response = await caller.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                faults.Add($"{described} answered {status}: {Shorten(await response.Content.ReadAsStringAsync())}");
                continue;
            }

            if (status >= 400 && await ProblemCodeAsync(response) is null)
            {
                faults.Add($"{described} answered {status} without a problem+json code: {response.Content.Headers.ContentType} {Shorten(await response.Content.ReadAsStringAsync())}");
                continue;
            }

            // A refused write changes nothing the member or the operator can see; an accepted one moves the baseline.
            if (request.Method != HttpMethod.Get)
            {
                var after = await SnapshotAsync(auditor, memberId);
                if (status >= 400 && after != before)
                {
                    faults.Add($"{described} was refused ({status}) but changed state: {before} -> {after}");
                }

                before = after;
            }
        }

        output.WriteLine($"{requests:N0} requests over {operations.Count} operations, seed {seed}: " +
            string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        Assert.True(faults.Count == 0, $"Seed {seed}:\n" + string.Join('\n', faults));
    }

    /// <summary>An operation of the document; <see cref="Role"/>: 0 anyone, 1 member, 2 operator.</summary>
    private sealed record Operation(string Method, string Path, IReadOnlyList<(string Name, string In)> Parameters, IReadOnlyList<string> BodyFields, bool HasBody, int Role);

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!)).ToList()
                    : [];
                var fields = new List<string>();
                var hasBody = operation.Value.TryGetProperty("requestBody", out var body);
                if (hasBody && body.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json)
                    && json.TryGetProperty("schema", out var schema))
                {
                    fields.AddRange(Properties(document, schema));
                }

                var role = path.Name.StartsWith("/api/v1/admin", StringComparison.Ordinal) ? 2 : operation.Value.TryGetProperty("security", out _) ? 1 : 0;
                yield return new Operation(operation.Name.ToUpperInvariant(), path.Name, parameters, fields, hasBody, role);
            }
        }
    }

    private static IEnumerable<string> Properties(JsonElement document, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name) : [];
    }

    private static HttpRequestMessage Hostile(Operation operation, Random random)
    {
        var path = operation.Path;
        var query = new List<string>();
        foreach (var (name, location) in operation.Parameters)
        {
            if (location == "path")
            {
                path = path.Replace("{" + name + "}", random.Next(4) == 0 ? OddIds[random.Next(OddIds.Length)] : "x-" + random.Next(1000), StringComparison.Ordinal);
            }
            else if (location == "query" && random.Next(2) == 0)
            {
                query.Add($"{name}={Uri.EscapeDataString(HostileValue(random))}");
            }
        }

        var request = new HttpRequestMessage(new HttpMethod(operation.Method), new Uri(path + (query.Count > 0 ? "?" + string.Join('&', query) : ""), UriKind.Relative));
        if (operation.Parameters.Any(p => p.In == "header" && p.Name == "Idempotency-Key") || random.Next(5) == 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", random.Next(4) switch
            {
                0 => "",
                1 => new string('k', 10_000),
                2 => "key with spaces and \u00e9",
                _ => "ok-" + random.Next(100),
            });
        }

        if (operation.HasBody || operation.Method is "POST" or "PUT")
        {
            request.Content = new StringContent(Body(operation, random), Encoding.UTF8, random.Next(20) == 0 ? "text/plain" : "application/json");
        }

        return request;
    }

    private static string HostileValue(Random random)
        => random.Next(2) == 0 ? HostileStrings[random.Next(HostileStrings.Length)] : HostileJson[random.Next(HostileJson.Length)];

    /// <summary>Broken JSON, or an object whose fields (some, from the schema) hold hostile values.</summary>
    private static string Body(Operation operation, Random random)
    {
        if (random.Next(4) == 0 || operation.BodyFields.Count == 0)
        {
            return BrokenBodies[random.Next(BrokenBodies.Length)];
        }

        var fields = operation.BodyFields.Where(_ => random.Next(2) == 0).DefaultIfEmpty(operation.BodyFields[0]);
        return "{" + string.Join(',', fields.Select(f => $"\"{f}\":{HostileJsonValue(random)}")) + "}";
    }

    private static string HostileJsonValue(Random random) => random.Next(3) switch
    {
        0 => JsonSerializer.Serialize(HostileStrings[random.Next(HostileStrings.Length)]).Replace("\\uD800", "\\ud800", StringComparison.Ordinal),
        1 => HostileJson[random.Next(HostileJson.Length)],
        _ => "[" + string.Join(',', Enumerable.Range(0, random.Next(1, 4)).Select(_ => HostileJson[random.Next(HostileJson.Length)])) + "]",
    };

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return problem.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a refused write must leave alone: the member's account and orders, the catalogue, every order, the rules.</summary>
    private static async Task<string> SnapshotAsync(HttpClient admin, string memberId)
    {
        var parts = new List<string>();
        foreach (var url in new[]
        {
            $"/api/v1/admin/members/{memberId}", $"/api/v1/admin/members/{memberId}/points?pageSize=100", "/api/v1/admin/products?pageSize=100",
            "/api/v1/admin/orders/?pageSize=100", "/api/v1/admin/rules", "/api/v1/admin/campaigns", "/api/v1/admin/lotteries/",
        })
        {
            parts.Add(await admin.GetStringAsync(new Uri(url, UriKind.Relative)));
        }

        return string.Join('\n', parts);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"… ({text.Length:N0} chars)";
}
