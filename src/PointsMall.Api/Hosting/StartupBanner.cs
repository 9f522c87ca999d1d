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

            var storage = configuration["Storage:Provider"] ?? "sqlite";
            Console.WriteLine($"""

                PointsMall is running ({storage} storage).
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
