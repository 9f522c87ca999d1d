using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors;
using PointsMall.Actors.Hosting;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Rules;
using PointsMall.Grains.Rules;

namespace PointsMall.Grains.Members;

public static class MembersRegistration
{
    /// <summary>Subscription names key durable checkpoints: never rename them.</summary>
    public const string DirectorySubscription = "member-directory";

    /// <summary>The member, login, operator, directory and programme-rules grains, and the directory's feed.</summary>
    public static SiloBuilder AddMemberGrains(this SiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo
            .AddGrain<IMemberGrain, MemberGrain>()
            .AddGrain<ILoginGrain, LoginGrain>()
            .AddGrain<IOperatorGrain, OperatorGrain>()
            .AddGrain<IMemberDirectoryGrain, MemberDirectoryGrain>()
            .AddGrain<IProgramGrain, ProgramGrain>()
            .AddStreamSubscription(DirectorySubscription, MemberDirectory.Stream, (services, e, _) =>
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
