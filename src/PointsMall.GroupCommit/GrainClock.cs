using Microsoft.Extensions.DependencyInjection;

namespace PointsMall.GroupCommit;

/// <summary>
/// The clock grains read (business time: deadlines, expiries, event timestamps), registered as a keyed
/// <see cref="TimeProvider"/> so it is not the one Orleans' own machinery (membership, collection, directory) runs on:
/// a test can move the grains' clock by days without the silo believing its peers died.
/// </summary>
public static class GrainClock
{
    public const string Key = "grain-clock";

    /// <summary>The grain clock of <paramref name="services"/>: the keyed one, else the default, else the system clock.</summary>
    public static TimeProvider Of(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return (services as IKeyedServiceProvider)?.GetKeyedService(typeof(TimeProvider), Key) as TimeProvider
            ?? services.GetService(typeof(TimeProvider)) as TimeProvider
            ?? TimeProvider.System;
    }
}
