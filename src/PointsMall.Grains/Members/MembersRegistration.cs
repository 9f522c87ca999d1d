using PointsMall.GroupCommit;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Members;

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

                // A refusal (no such inviter, today's cap reached) is an answer, not a failure: nothing to retry.
                var referral = e.Deserialize<MemberReferred>();
                return services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(referral.ReferredBy)
                    .CompleteTaskAsync(new CompleteTask($"task:{InvitationTask}:{referral.MemberId}", InvitationTask, null));
            });
    }
}
