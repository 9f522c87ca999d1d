using System.Security.Cryptography;
using PointsMall.Actors;
using PointsMall.Api.Auth;
using PointsMall.Contracts.Members;

namespace PointsMall.Api.Hosting;

/// <summary>
/// On first start the operator account <c>admin</c> exists: its password is POINTSMALL_ADMIN_PASSWORD (or
/// configuration <c>Admin:Password</c>) when set, otherwise generated and printed once.
/// </summary>
internal sealed partial class AdminBootstrap(IGrainFactory grains, IConfiguration configuration, ILogger<AdminBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = configuration["Admin:Password"] ?? Environment.GetEnvironmentVariable("POINTSMALL_ADMIN_PASSWORD");
        var password = string.IsNullOrEmpty(configured) ? Generate() : configured;
        var created = await grains.GetGrain<IOperatorGrain>(AuthEndpoints.AdminLogin).EnsureCreatedAsync(password);
        if (created && string.IsNullOrEmpty(configured))
        {
            // Printed once, on the console only: it is not kept anywhere in clear.
            Console.WriteLine($"Admin console login: {AuthEndpoints.AdminLogin} / password: {password}  (shown once; set POINTSMALL_ADMIN_PASSWORD to choose it)");
        }
        else if (created)
        {
            LogCreated(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Admin account created with the configured password")]
    private static partial void LogCreated(ILogger logger);
}
