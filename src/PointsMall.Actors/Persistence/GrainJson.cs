using System.Text.Json;

namespace PointsMall.Actors;

/// <summary>The JSON settings used for grain state and stream events (System.Text.Json, web defaults).</summary>
public static class GrainJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
