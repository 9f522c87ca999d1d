using PointsMall.Actors.Hosting;

namespace PointsMall.Grains.Members;

public static class MembersRegistration
{
    // Filled in with the Members grains and their subscriptions as they land.
    public static SiloBuilder AddMemberGrains(this SiloBuilder silo) => silo;
}
