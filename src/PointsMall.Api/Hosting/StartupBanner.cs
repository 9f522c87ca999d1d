using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PointsMall.Api.Hosting;

/// <summary>Prints where to look once the host listens: the first thing a new user needs.</summary>
internal sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/');
            if (address is null)
            {
                return; // In-memory test server: nobody to tell.
            }

            var engine = EngineHosting.RoleOf(configuration) == EngineHosting.ApiRole
                ? $"api role: grains in the silo at {configuration["Silo:Gateway"]}"
                : $"{configuration["Storage:Provider"] ?? "sqlite"} storage";
            Console.WriteLine($"""

                PointsMall is running ({engine}).
                  Shop (积分商城):        {address}/
                  Admin console (后台):   {address}/admin   (login admin)
                  API docs (browsable):  {address}/docs
                  OpenAPI document:      {address}/openapi/v1.json
                  Health:                {address}/health/ready
                Stop with Ctrl+C.

                """);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
