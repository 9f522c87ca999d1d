using Microsoft.AspNetCore.Hosting;
using PointsMall.LocalServers;

namespace PointsMall.Testing;

/// <summary>
/// Free loopback ports for the hosts a test starts: xunit runs test classes in parallel in one process, so every
/// silo needs its own Orleans ports (the defaults, 11111 and 30000, would collide).
/// </summary>
public static class FreePorts
{
    public static int Next() => LocalPorts.Next();

    /// <summary>Settings (<c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c>) that give a co-hosted silo ports of its own.</summary>
    public static Dictionary<string, string?> OrleansSettings() => new()
    {
        ["Orleans:SiloPort"] = Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans:GatewayPort"] = Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Gives the host's silo ports of its own; called for each host built, derived factories included.</summary>
    public static IWebHostBuilder UseFreeOrleansPorts(this IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in OrleansSettings())
        {
            builder.UseSetting(key, value);
        }

        return builder;
    }
}
