using PointsMall.Contracts.Operators;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Operators;

public sealed record AuditEntryState
{
    public AuditEntry? Entry { get; init; }
}

/// <summary>
/// An audit entry: written once with its index row, never changed after. The log is append-only because nothing
/// offers a way to change or remove an entry, and a second record of the same id is ignored.
/// </summary>
[GrainType("audit-entry")]
public sealed class AuditEntryGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<AuditEntryState> state) : MallGrain, IAuditEntryGrain
{
    public Task RecordAsync(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (state.State.Entry is not null)
        {
            return Task.CompletedTask;
        }

        state.State = new AuditEntryState { Entry = entry with { Id = GrainKey } };
        UpdateIndex(IAuditLogGrain.Index, state.State.Entry, entry.At.UtcTicks, partition: entry.Operator, tag: entry.Action, text: $"{entry.Target} {entry.Path}");
        return Task.CompletedTask;
    }
}

/// <summary>The audit search: a query of the audit index.</summary>
[GrainType("audit-log")]
public sealed class AuditLogGrain(IGrainIndex index) : MallGrain, IAuditLogGrain
{
    public async Task<AuditPage> SearchAsync(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, IAuditLogGrain.MaxPageSize);
        var found = await index.QueryAsync<AuditEntry>(new IndexQuery(
            IAuditLogGrain.Index, Blank(query.Operator), Blank(query.Action), Blank(query.Text)?.ToLowerInvariant(), (page - 1) * pageSize, pageSize));
        return new AuditPage(found.Items, page, pageSize, found.Total);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
