using PointsMall.GroupCommit;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Members;

namespace PointsMall.Grains.Members;

public static class MembersRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string DirectorySubscription = "member-directory";

    /// <summary>The member, login, operator, directory and programme-rules grains, and the directory's feed.</summary>
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
            });
    }
}
