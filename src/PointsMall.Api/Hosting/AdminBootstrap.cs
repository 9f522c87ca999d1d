using System.Security.Cryptography;
using PointsMall.Api.Auth;
using PointsMall.Contracts.Operators;

namespace PointsMall.Api.Hosting;

/// <summary>
/// On first start the operator account <c>admin</c> exists: its password is POINTSMALL_ADMIN_PASSWORD (or
/// configuration <c>Admin:Password</c>) when set, otherwise generated and printed once.
/// </summary>
internal sealed partial class AdminBootstrap(IGrainFactory grains, IConfiguration configuration, TimeProvider time, ILogger<AdminBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = configuration["Admin:Password"] ?? Environment.GetEnvironmentVariable("POINTSMALL_ADMIN_PASSWORD");
        var password = string.IsNullOrEmpty(configured) ? Generate() : configured;
        var created = await EnsureCreatedAsync(password, cancellationToken);
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

    /// <summary>
    /// In the api role the silo may still be starting (or restarting) when this node starts: wait for it up to
    /// <c>Silo:StartupWait</c> (30 s by default) rather than fail the node. Any Orleans failure is retried in that
    /// time, not only an unreachable silo: while silos join, two API nodes starting together can reach two
    /// activations of the same operator, and the one whose write loses the version check must simply ask again
    /// (the creation is idempotent: the second ask finds the account). An embedded silo is always up here.
    /// </summary>
    private async Task<bool> EnsureCreatedAsync(string password, CancellationToken cancellationToken)
    {
        var wait = configuration.GetValue<TimeSpan?>("Silo:StartupWait") ?? TimeSpan.FromSeconds(30);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                return await grains.GetGrain<IOperatorGrain>(AuthEndpoints.AdminLogin).EnsureCreatedAsync(password);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && time.GetUtcNow() < deadline)
            {
                LogWaitingForSilo(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Admin account created with the configured password")]
    private static partial void LogCreated(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Waiting for the cluster before creating the admin account: {Reason}")]
    private static partial void LogWaitingForSilo(ILogger logger, string reason);
}
