using PointsMall.Actors.Hosting;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Rules;
using PointsMall.Grains.Rules;

namespace PointsMall.Grains.Members;

public static class MembersRegistration
{
    /// <summary>The member, login and programme-rules grains.</summary>
    public static SiloBuilder AddMemberGrains(this SiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo
            .AddGrain<IMemberGrain, MemberGrain>()
            .AddGrain<ILoginGrain, LoginGrain>()
            .AddGrain<IOperatorGrain, OperatorGrain>()
            .AddGrain<IProgramGrain, ProgramGrain>();
    }
}
