using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PointsMall.Grains.Messages;

/// <summary>A text to a member's phone (<c>sms</c>) or mailbox (<c>email</c>).</summary>
public sealed record OutgoingMessage(string Channel, string To, string Text, DateTimeOffset At);

/// <summary>
/// Where the API's SMS and e-mails go: one provider per deployment (<c>Messaging:Provider</c>). A real gateway
/// implements this; the one built in is the sandbox.
/// </summary>
public interface IMessageSender
{
    Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// The sandbox provider: logs each message (codes included: it is for development and tests) and keeps the last
/// <see cref="SandboxLog{T}.Kept"/> in memory; it sends nothing anywhere.
/// </summary>
public sealed partial class SandboxMessageSender(ILogger<SandboxMessageSender> logger) : IMessageSender
{
    public const string Name = Providers.Sandbox;

    private readonly SandboxLog<OutgoingMessage> _sent = new();

    /// <summary>What was sent, oldest first.</summary>
    public IReadOnlyList<OutgoingMessage> Sent => _sent.Items;

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        LogSent(logger, message.Channel, message.To, message.Text);
        _sent.Add(message);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "Sandbox {Channel} to {To}: {Text}")]
    private static partial void LogSent(ILogger logger, string channel, string to, string text);
}

public static class MessagingSetup
{
    /// <summary>The message provider named by <c>Messaging:Provider</c> (only <c>sandbox</c>, the default, is built in).</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        Providers.RequireSandbox(configuration, "Messaging:Provider");

        services.AddSingleton<SandboxMessageSender>();
        services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<SandboxMessageSender>());
        return services;
    }
}
