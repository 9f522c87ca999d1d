using System.Text.Json;

namespace PointsMall.GroupCommit;

/// <summary>
/// How state and events are serialized: System.Text.Json with web defaults, the format the stores have always held,
/// so existing rows stay readable.
/// </summary>
public static class GroupCommitJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
