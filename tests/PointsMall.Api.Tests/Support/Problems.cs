using System.Net;
using System.Text.Json;
using Xunit;

namespace PointsMall.Api.Tests.Support;

/// <summary>The one check of a refusal: the status, a problem+json body, and its stable code.</summary>
public static class Problems
{
    /// <summary>Asserts the answer and returns the problem (its detail, errors and extensions), the body in every failure message.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.True(problem.TryGetProperty("code", out var actual) && actual.GetString() == code, $"Expected code {code}: {body}");
        return problem;
    }
}
