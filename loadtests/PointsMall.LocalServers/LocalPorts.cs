using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PointsMall.LocalServers;

/// <summary>Free loopback ports for the servers and hosts the tools and tests start, several at once in one process.</summary>
public static class LocalPorts
{
    // Ports handed out by this process: the OS may offer a port again once its probe listener is closed, before the
    // server that was given it has bound it.
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
}
