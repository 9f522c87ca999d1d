namespace PointsMall.GroupCommit;

/// <summary>
/// Makes every call to a grain with an <see cref="IPipelinedState{TState}"/> a turn: what the call changed (state,
/// events, index entries, reminders) is committed before its reply, and a call that throws leaves nothing behind.
/// </summary>
/// <remarks>
/// Design note. The grain author writes <c>state.State = …</c> and returns; there is no write to forget and no
/// half-applied change after a refusal thrown midway. A read waits until what it saw is durable. In a non-reentrant
/// grain the commit is awaited inside the call, so the next call starts on durable state. In a <c>[Reentrant]</c>
/// (hot) grain each method changes its state without awaiting, so nothing interleaves between the mark and the
/// change; the commit is awaited while other calls run, and those join the next write (see <see cref="PipelinedState{TState}"/>).
/// </remarks>
internal sealed class TurnCommitFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext.GetComponent<ITurn>() is not { } turn)
        {
            await context.Invoke().ConfigureAwait(true);
            return;
        }

        var mark = turn.Begin();
        try
        {
            await context.Invoke().ConfigureAwait(true);
        }
        catch
        {
            turn.Rollback(mark);
            throw;
        }

        await turn.EndAsync(mark).ConfigureAwait(true);
    }
}

/// <summary>The commit-on-return contract between <see cref="TurnCommitFilter"/> and an activation's state.</summary>
internal interface ITurn
{
    TurnMark Begin();

    void Rollback(TurnMark mark);

    Task EndAsync(TurnMark mark);
}

/// <summary>Where a call started: the state, whether it had unwritten changes, the staged writes, and the call itself.</summary>
internal sealed record TurnMark(long Turn, long WritesStarted, object? State, bool Dirty, StagedMark Staged, TurnCall Call);

/// <summary>
/// The call in progress on this logical flow (an <see cref="AsyncLocal{T}"/>, so each call of a reentrant grain has its
/// own): whether it changed anything since it last synchronised with storage, and whether it ever did.
/// </summary>
internal sealed class TurnCall
{
    private static readonly AsyncLocal<TurnCall?> Current = new();

    public bool Dirty { get; private set; }

    public bool Synced { get; private set; }

    public static TurnCall Start() => Current.Value = new TurnCall();

    public static void Changed()
    {
        if (Current.Value is { } call)
        {
            call.Dirty = true;
        }
    }

    /// <summary>The call asked for a durability point itself (and awaits it before it answers).</summary>
    public static void Synchronised()
    {
        if (Current.Value is { } call)
        {
            call.Dirty = false;
            call.Synced = true;
        }
    }
}
