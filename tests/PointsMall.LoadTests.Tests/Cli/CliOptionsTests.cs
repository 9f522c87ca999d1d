using System.CommandLine;
using PointsMall.LoadTests.Cli;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Tests.Cli;

public sealed class CliOptionsTests
{
    private static RunPlan Plan(string[] args, RunPreset? preset)
    {
        var options = new CliOptions();
        var command = new Command("run");
        options.AddTo(command);
        return options.Plan("mixed", command.Parse(args), preset);
    }

    [Fact]
    public void The_soak_runs_half_an_hour_per_minute_with_the_server_sampled()
    {
        var plan = Plan([], RunPreset.Soak);

        var rate = Assert.IsType<ConstantArrivalRate>(plan.Settings.Simulation);
        Assert.Equal((300d, TimeSpan.FromMinutes(30)), (rate.PerSecond, rate.Duration));
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), (plan.Settings.WarmUp, plan.Settings.Interval));
        Assert.Equal(TimeSpan.FromMinutes(1), plan.ServerMetricsEvery);
        Assert.Equal("soak", plan.Label);
        Assert.Equal((10_000, 200, 1_000_000L), (plan.Workload.Members, plan.Workload.Skus, plan.Workload.Stock));

        // Warm-up, the phase, the audit's settling time and slack for seeding.
        Assert.Equal(TimeSpan.FromMinutes(36), plan.Workload.TokensMustLast);
    }

    [Fact]
    public void The_command_line_wins_over_the_soaks_defaults()
    {
        var plan = Plan(["--rate", "40", "--duration", "5m", "--server-metrics", "15s", "--members", "300"], RunPreset.Soak);

        var rate = Assert.IsType<ConstantArrivalRate>(plan.Settings.Simulation);
        Assert.Equal((40d, TimeSpan.FromMinutes(5)), (rate.PerSecond, rate.Duration));
        Assert.Equal(TimeSpan.FromSeconds(15), plan.ServerMetricsEvery);
        Assert.Equal(300, plan.Workload.Members);
        Assert.Equal(TimeSpan.FromMinutes(1), plan.Settings.Interval);
    }

    [Fact]
    public void Without_a_preset_the_server_is_not_sampled_unless_asked()
    {
        Assert.Null(Plan([], preset: null).ServerMetricsEvery);
        Assert.Equal(TimeSpan.FromSeconds(30), Plan(["--server-metrics", "30s"], preset: null).ServerMetricsEvery);
    }
}
