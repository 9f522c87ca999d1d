using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;

namespace PointsMall.Testing;

/// <summary>
/// Free loopback ports for the hosts a test starts: xunit runs test classes in parallel in one process, so every
/// silo needs its own Orleans ports (the defaults, 11111 and 30000, would collide).
/// </summary>
public static class FreePorts
{
    // Ports handed out in this run: the OS may offer a port again once its probe listener is closed, before the
    // host that was given it has bound it.
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }

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
