using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PointsMall.Contracts.Messages;

namespace PointsMall.Grains.Messages;

/// <summary>
/// Where notices are pushed besides the inbox: an SMS, e-mail or WeChat template-message gateway, one per deployment
/// (<c>Notifications:Provider</c>). The provider finds the member's address itself (a WeChat gateway maps members to
/// its own ids). Called at least once per notice, after the notice is durable in the inbox.
/// </summary>
public interface INotificationSender
{
    Task SendAsync(MemberNotice notice, CancellationToken cancellationToken);
}

/// <summary>The sandbox provider: logs each notice and keeps the last <see cref="SandboxLog{T}.Kept"/> in memory; it sends nothing anywhere.</summary>
public sealed partial class SandboxNotificationSender(ILogger<SandboxNotificationSender> logger) : INotificationSender
{
    public const string Name = Providers.Sandbox;

    private readonly SandboxLog<MemberNotice> _sent = new();

    /// <summary>What was pushed, oldest first.</summary>
    public IReadOnlyList<MemberNotice> Sent => _sent.Items;

    public Task SendAsync(MemberNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        LogPushed(logger, notice.Kind, notice.MemberId, notice.Title);
        _sent.Add(notice);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4410, Level = LogLevel.Information, Message = "Sandbox push {Kind} to member {MemberId}: {Title}")]
    private static partial void LogPushed(ILogger logger, string kind, string memberId, string title);
}

public static class NotificationSetup
{
    /// <summary>The provider named by <c>Notifications:Provider</c> (only <c>sandbox</c>, the default, is built in).</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        Providers.RequireSandbox(configuration, "Notifications:Provider");

        services.TryAddSingleton<SandboxNotificationSender>();
        services.TryAddSingleton<INotificationSender>(sp => sp.GetRequiredService<SandboxNotificationSender>());
        return services;
    }
}
