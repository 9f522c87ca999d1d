using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;

namespace PointsMall.Hosting;

/// <summary>
/// The Orleans Dashboard (<c>Dashboard</c> section), off unless <c>Dashboard:Enabled</c> is true. On a silo it adds
/// the statistics collection the dashboard reads; on an API node's client it adds what serves the pages (the API
/// maps them at <c>/dashboard</c> for operators). Off by default because the silo side puts a filter on every grain
/// call and, while a dashboard page is open, times and counts each call (see the Silo README).
/// The section's other keys are the dashboard's own options (<c>HideTrace</c>, <c>CounterUpdateIntervalMs</c>, <c>HistoryLength</c>).
/// </summary>
public static class OperatorDashboard
{
    public const string Section = "Dashboard";

    public static bool Enabled(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetValue($"{Section}:Enabled", false);
    }

    internal static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        if (Enabled(configuration))
        {
            silo.AddDashboard(o => configuration.GetSection(Section).Bind(o));
        }
    }

    /// <summary>An API node's client: the dashboard's pages and data, which ask the silos (they must have it on too).</summary>
    public static void Configure(IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (Enabled(configuration))
        {
            client.AddDashboard(o => configuration.GetSection(Section).Bind(o));
        }
    }
}
