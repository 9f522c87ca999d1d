using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Messages;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Messages;

public static class MessagesRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string NoticesSubscription = "notices";

    public const string PushSubscription = "push";

    /// <summary>
    /// The inbox and announcement grains, the notification provider, and two subscriptions: notices published by any
    /// grain reach the member's inbox, and each notice new to an inbox is pushed through the provider.
    /// </summary>
    public static ISiloBuilder AddMessageGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddNotifications(silo.Configuration);
        return silo
            .AddOutboxSubscription(NoticesSubscription, MemberNotice.Stream, (services, e, _) =>
            {
                if (!e.Is<MemberNotice>())
                {
                    return Task.CompletedTask;
                }

                var notice = e.Deserialize<MemberNotice>();
                return services.GetRequiredService<IGrainFactory>().GetGrain<IInboxGrain>(notice.MemberId).DeliverAsync(notice);
            })
            .AddOutboxSubscription(PushSubscription, InboxGrain.PushStream, (services, e, cancellationToken) =>
                e.Is<MemberNotice>()
                    ? services.GetRequiredService<INotificationSender>().SendAsync(e.Deserialize<MemberNotice>(), cancellationToken)
                    : Task.CompletedTask);
    }
}
