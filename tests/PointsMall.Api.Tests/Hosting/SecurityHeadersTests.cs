using System.Net;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>Every response carries the browser protections, with the content security policy that fits what it is.</summary>
public sealed class SecurityHeadersTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/", SecurityHeaders.AppPolicy)]
    [InlineData("/admin", SecurityHeaders.AppPolicy)]
    [InlineData("/assets/mall.js", SecurityHeaders.AppPolicy)]
    [InlineData("/docs/index.html", SecurityHeaders.ToolPolicy)]
    [InlineData("/api/v1/products", SecurityHeaders.ApiPolicy)]
    [InlineData("/api/v1/me", SecurityHeaders.ApiPolicy)]
    [InlineData("/api/v1/no-such-route", SecurityHeaders.ApiPolicy)]
    [InlineData("/no-such-page", SecurityHeaders.AppPolicy)]
    public async Task Pages_api_answers_and_refusals_carry_the_security_headers(string path, string policy)
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(policy, Single(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
        Assert.Equal("same-origin", Single(response, "Cross-Origin-Opener-Policy"));
        Assert.Contains("camera=()", Single(response, "Permissions-Policy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_mall_shell_has_no_inline_script_or_style_for_its_policy_to_block()
    {
        using var client = factory.CreateClient();

        foreach (var page in new[] { "/", "/admin" })
        {
            var html = await client.GetStringAsync(new Uri(page, UriKind.Relative));
            Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(@"\son[a-z]+=", html);
        }
    }

    [Fact]
    public async Task A_fault_answer_carries_them_too()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
        {
            Content = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"),
        };

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SecurityHeaders.ApiPolicy, Single(response, "Content-Security-Policy"));
    }

    private static string Single(HttpResponseMessage response, string header)
        => response.Headers.TryGetValues(header, out var values) ? Assert.Single(values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} without {header}.");
}
