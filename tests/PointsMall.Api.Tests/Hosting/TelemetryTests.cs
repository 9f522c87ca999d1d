using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Hosting;

/// <summary>What OpenTelemetry sees of one redemption: its trace from the HTTP request into the grain calls, and its count.</summary>
public sealed class TelemetryTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";
    private const string GrainCallSource = "Microsoft.Orleans.Application";

    [Fact]
    public async Task A_redemption_is_one_trace_from_the_http_request_into_its_grain_calls_and_is_counted()
    {
        var finished = new ConcurrentQueue<Activity>();
        using var host = Host(finished);
        using var admin = host.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Traced mug", pointsPrice = 100, stock = 5 });
        using var member = host.CreateClient();
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        var registered = await member.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "member-password-1", displayName = "m" });
        await ApiFactory.EnsureAsync(registered, "register");
        var memberId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberId").GetString()!;
        await ApiFactory.SignInAsync(member, phone, "member-password-1");
        await host.GrantAsync(memberId, 1000);
        await ShopKit.AddAddressAsync(member);

        await ShopKit.RedeemOkAsync(member, product);

        // The server span ends once the response is written, which may be just after the client has it.
        var server = await EventuallyAsync(() => finished.FirstOrDefault(a =>
            a.Source.Name == AspNetCoreSource && a.Kind == ActivityKind.Server && Equals(a.GetTagItem("http.route"), "/api/v1/redemptions")));
        var grainCalls = finished.Where(a => a.Source.Name == GrainCallSource && a.TraceId == server.TraceId).ToList();
        Assert.NotEmpty(grainCalls);

        // The endpoint's own grain call is a child of the request's span, not merely in the same trace.
        Assert.Contains(grainCalls, a => a.ParentSpanId == server.SpanId);

        var metrics = await member.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches(@"(?m)^pointsmall_redemptions_total\{.*payment=""points"".*\} 1$", metrics);
    }

    /// <summary>A host of its own that hands every finished span to <paramref name="finished"/> and serves /metrics to anyone.</summary>
    private WebApplicationFactory<Program> Host(ConcurrentQueue<Activity> finished)
        => factory.WithWebHostBuilder(b =>
        {
            var directory = Path.Combine(Path.GetTempPath(), "pointsmall-api-tests", Guid.NewGuid().ToString("n"));
            b.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "api.db"));
            b.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
            b.UseSetting("Metrics:Access", "Anyone");
            b.UseSetting("OpenTelemetry:Tracing:Enabled", "true");
            b.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new Capture(finished))));
        });

    private static async Task<Activity> EventuallyAsync(Func<Activity?> find)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (find() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The redemption's server span never finished.");
    }

    /// <summary>Keeps every span the tracer provider ends (of all hosts in the process: the test filters by trace).</summary>
    private sealed class Capture(ConcurrentQueue<Activity> finished) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => finished.Enqueue(data);
    }
}
