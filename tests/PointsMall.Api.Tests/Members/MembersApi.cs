using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Members;

/// <summary>Helpers of the member route tests: reading bodies, asserting problems, waiting for the directory.</summary>
internal static class MembersApi
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) => Problems.AssertAsync(response, status, code);

    public static Task<HttpResponseMessage> SendJsonAsync(HttpClient client, HttpMethod method, string url, object? body)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendRawAsync(HttpClient client, HttpMethod method, string url, string json)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return client.SendAsync(request);
    }

    public static HttpClient WithToken(ApiFactory api, string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<long> BalanceAsync(HttpClient member)
        => (await JsonAsync(await member.GetAsync("/api/v1/me"))).GetProperty("balance").GetInt64();

    /// <summary>
    /// The directory follows registrations through the event stream, a moment after the registration is durable;
    /// this polls the admin search until <paramref name="done"/> holds or the deadline passes.
    /// </summary>
    public static async Task<JsonElement> SearchUntilAsync(HttpClient admin, string url, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var page = await JsonAsync(await admin.GetAsync(url));
            if (done(page))
            {
                return page;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after 30 s waiting for the member directory to show {what}; last page: {page}");
            }

            await Task.Delay(50);
        }
    }

    public static IEnumerable<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray();
}
