using System.Collections.Concurrent;
using PointsMall.Contracts.Sessions;

namespace PointsMall.Api.Auth;

/// <summary>
/// This node's copy of the cluster's revoked sessions (<see cref="IRevokedSessionsGrain"/>), checked on every
/// authenticated request: a dictionary look-up while the copy is younger than <see cref="AuthOptions.RevocationRefresh"/>.
/// The first request that finds it older starts one read of what changed since, and the requests meanwhile wait for that
/// read, so a token revoked anywhere in the cluster is refused here at most that long after the revocation was answered.
/// A revocation made through this node is refused here at once.
/// <para>
/// A request waits for the read at most <see cref="MaxReadWait"/>: if the list does not answer by then (a silo or its
/// store in trouble), requests go on with the copy this node has rather than add the engine's call timeout to their
/// own, and a read that fails is logged and tried again one interval later. While the list cannot be read the bound
/// does not hold, but then neither do the requests' own grain calls.
/// </para>
/// </summary>
public sealed partial class SessionRevocations(IGrainFactory grains, AuthOptions options, [FromKeyedServices(AuthClock.Key)] TimeProvider time, ILogger<SessionRevocations> logger)
{
    /// <summary>The longest a request waits for a read of the list before it goes on with this node's copy.</summary>
    public static readonly TimeSpan MaxReadWait = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task _reading = Task.CompletedTask;
    private long _readAt;
    private bool _everRead;
    private string? _epoch;
    private long _version;

    /// <summary>How many revoked sessions this node holds (their access tokens may still be live).</summary>
    public int Count => _revoked.Count;

    /// <summary>Whether the session is revoked, as of a copy at most <see cref="AuthOptions.RevocationRefresh"/> old.</summary>
    public ValueTask<bool> IsRevokedAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return IsCurrent() ? new ValueTask<bool>(_revoked.ContainsKey(sessionId)) : ReadThenCheckAsync(sessionId, cancellationToken);
    }

    /// <summary>Revocations this node made itself (answered by the sessions grain): refused here from now on.</summary>
    public void Add(IEnumerable<RevokedSession> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var now = time.GetUtcNow();
        foreach (var session in sessions)
        {
            if (session.Until > now)
            {
                _revoked[session.SessionId] = session.Until;
            }
        }
    }

    /// <summary>Reads the changes now unless the copy is current; concurrent callers share one read.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (!IsCurrent() && _reading.IsCompleted)
            {
                _reading = ReadAsync();
            }

            return _reading;
        }
    }

    private bool IsCurrent() => Volatile.Read(ref _everRead) && time.GetElapsedTime(Volatile.Read(ref _readAt)) < options.RevocationRefresh;

    private async ValueTask<bool> ReadThenCheckAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync().WaitAsync(MaxReadWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The read goes on without this request (see the class remarks); it fails or completes on its own.
        }

        return _revoked.ContainsKey(sessionId);
    }

    private async Task ReadAsync()
    {
        // What the read returns is current as of when it was asked for, not when it arrived.
        var asked = time.GetTimestamp();
        try
        {
            var changes = await grains.GetGrain<IRevokedSessionsGrain>(IRevokedSessionsGrain.Key).GetChangesAsync(_epoch, _version).ConfigureAwait(false);

            // Entries are only ever added (and dropped once expired), so even a complete list is merged, not swapped
            // in: a revocation this node made while the read was on its way stays.
            Add(changes.Sessions);
            (_epoch, _version) = (changes.Epoch, changes.Version);
            var now = time.GetUtcNow();
            foreach (var (sessionId, until) in _revoked)
            {
                if (until <= now)
                {
                    _revoked.TryRemove(sessionId, out _);
                }
            }
        }
#pragma warning disable CA1031 // Any failure: keep the copy and try again next interval (see the class remarks).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReadFailed(logger, ex);

            // Next try one interval from now: a read that took the call timeout to fail must not start again at once.
            asked = time.GetTimestamp();
        }

        Volatile.Write(ref _readAt, asked);
        Volatile.Write(ref _everRead, true);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not read the revoked sessions; this node goes on with the copy it has and tries again next interval")]
    private static partial void LogReadFailed(ILogger logger, Exception exception);
}
