using PointsMall.Contracts.Lottery;
using PointsMall.Domain.Lottery;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Lottery;

/// <summary>
/// A lottery's draw audit trail: a query of the draw index, which the lottery writes with each draw. The index's
/// text is <c>won|member|</c> or <c>lost|member|</c>; member ids hold no <c>|</c>, so one substring filter matches a
/// member exactly, the outcome, or both.
/// </summary>
[GrainType("lottery-draws")]
public sealed class LotteryDrawsGrain(IGrainIndex index) : MallGrain, ILotteryDrawsGrain
{
    public async Task<LotteryDrawPage> ListAsync(LotteryDrawQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = Math.Max(1, query.Page);
        var pageSize = Math.Clamp(query.PageSize, 1, ILotteryDrawsGrain.MaxPageSize);
        var outcome = string.IsNullOrWhiteSpace(query.Outcome) ? null : query.Outcome.Trim();
        var member = string.IsNullOrWhiteSpace(query.MemberId) ? null : query.MemberId.Trim();

        // won / lost filter by text; a tier id by tag ("none" is the tag of draws that won nothing).
        (string? Tag, string? Flag) filter = outcome switch
        {
            null => (null, null),
            "won" or "lost" => (null, outcome),
            _ => (outcome, null),
        };
        var (tag, flag) = filter;
        var text = (flag, member) switch
        {
            (null, null) => null,
            (null, { } m) => $"|{m}|",
            ({ } f, null) => f + "|",
            ({ } f, { } m) => $"{f}|{m}|",
        };
        var found = await index.QueryAsync<DrawRecord>(new IndexQuery(ILotteryDrawsGrain.Index, GrainKey, tag, text, (page - 1) * pageSize, pageSize));
        return new LotteryDrawPage(found.Items, page, pageSize, found.Total);
    }

    /// <summary>The index text of a draw (see the type's remarks).</summary>
    internal static string Text(DrawRecord record) => $"{(record.WonTierId is null ? "lost" : "won")}|{record.MemberId}|";
}
