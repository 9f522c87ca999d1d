using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using PointsMall.Api.Analytics;
using PointsMall.Api.Auth;
using PointsMall.Api.Catalog;
using PointsMall.Api.Coupons;
using PointsMall.Api.Demo;
using PointsMall.Api.Hosting;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Lottery;
using PointsMall.Api.Members;
using PointsMall.Api.Messages;
using PointsMall.Api.Operators;
using PointsMall.Api.Orders;
using PointsMall.Api.Rules;
using PointsMall.Api.Tasks;
using PointsMall.Api.Web;
using PointsMall.Hosting;

if (StorageBackup.IsCommand(args))
{
    Environment.ExitCode = await StorageBackup.RunAsync(args, WebUi.DefaultContentRoot(args) ?? Directory.GetCurrentDirectory(), Console.Out, Console.Error);
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = WebUi.DefaultContentRoot(args) });
builder.AddPointsMallEngine();
builder.AddPointsMallApi();
builder.AddDemoData();

var app = builder.Build();
app.UsePointsMallApi();

var api = app.MapGroup("/api/v1").WithProblemResponses();
api.MapAuth();
api.MapOneTimeCodes();
api.MapSessions();
api.MapMembers();
api.MapCatalog();
api.MapSections();
api.MapImages();
api.MapCodePools();
api.MapRedemptions();
api.MapCoupons();
api.MapTasks();
api.MapShipping();
api.MapLotteries();
api.MapMessages();
api.MapRules();
api.MapOperators();
api.MapAnalytics();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.MapMetrics();
app.MapDashboard();
app.MapOpenApi();
app.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "PointsMall API v1");
    o.RoutePrefix = "docs";
});
app.MapWebUi();

await app.RunAsync();

/// <summary>Visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
