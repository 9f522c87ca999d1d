using PointsMall.GroupCommit;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;

namespace PointsMall.Grains.Members;

public static class MembersRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string DirectorySubscription = "member-directory";

    public const string ReferralsSubscription = "referrals";

    /// <summary>The task an invitation pays, by the programme's rules (daily cap included).</summary>
    public const string InvitationTask = "invite_member";

    /// <summary>
    /// The member, login, operator, directory and programme-rules grains, the directory's feed, and the referrals' (an
    /// inviter earns the invitation task once per member it invited: the operation id is the invitee's).
    /// </summary>
    public static ISiloBuilder AddMemberGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo
            .AddOutboxSubscription(DirectorySubscription, MemberDirectory.Stream, (services, e, _) =>
            {
                if (!e.Is<MemberListed>())
                {
                    return Task.CompletedTask;
                }

                var listing = e.Deserialize<MemberListed>().Listing;
                return services.GetRequiredService<IGrainFactory>()
                    .GetGrain<IMemberDirectoryGrain>(MemberDirectory.ShardOf(listing.Id))
                    .UpsertAsync(listing);
            })
            .AddOutboxSubscription(ReferralsSubscription, MemberReferred.Stream, (services, e, _) =>
            {
                if (!e.Is<MemberReferred>())
                {
                    return Task.CompletedTask;
                }

                var referral = e.Deserialize<MemberReferred>();
                return CreditInvitationAsync(services.GetRequiredService<IGrainFactory>(), referral);
            });
    }

    /// <summary>
    /// Pays the inviter and tells it so. A refusal (no such inviter, today's cap reached) is an answer, not a failure:
    /// nothing to retry, nothing to tell. A redelivery replays the payment and the notice, both once-only by their ids.
    /// </summary>
    private static async Task CreditInvitationAsync(IGrainFactory grains, MemberReferred referral)
    {
        var paid = await grains.GetGrain<IMemberGrain>(referral.ReferredBy)
            .CompleteTaskAsync(new CompleteTask($"task:{InvitationTask}:{referral.MemberId}", InvitationTask, null));
        if (paid.Succeeded && paid.Amount > 0)
        {
            await grains.GetGrain<IInboxGrain>(referral.ReferredBy).DeliverAsync(new MemberNotice(
                $"invited:{referral.MemberId}", referral.ReferredBy, NoticeKinds.InvitationCredited, "邀请奖励到账 Invitation bonus credited",
                $"好友已注册，获得 {paid.Amount} 积分 A friend you invited registered: +{paid.Amount} points", "/points", referral.At));
        }
    }
}
