using System.Text.Json;

namespace PointsMall.Domain.Tests.Support;

/// <summary>Grain state is persisted as JSON; every state type must survive a round trip unchanged.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Round-trips with default and web options; returns the copy read back with default options.</summary>
    public static T AssertRoundTrips<T>(T value)
    {
        var first = JsonSerializer.Serialize(value);
        var back = JsonSerializer.Deserialize<T>(first)!;
        Assert.Equal(first, JsonSerializer.Serialize(back));

        var web = JsonSerializer.Serialize(value, Web);
        Assert.Equal(web, JsonSerializer.Serialize(JsonSerializer.Deserialize<T>(web, Web), Web));
        return back;
    }
}
