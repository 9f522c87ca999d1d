namespace PointsMall.Api.Demo;

public static class DemoData
{
    // Registers the demo seeder (Demo:Seed) here.
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder) => builder;
}
