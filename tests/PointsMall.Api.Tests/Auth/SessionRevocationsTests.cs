using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PointsMall.Api.Auth;
using PointsMall.Contracts.Sessions;
using Xunit;

namespace PointsMall.Api.Tests.Auth;

/// <summary>A node's copy of the revocation list, against a list the test answers for, on a fake clock.</summary>
public sealed class SessionRevocationsTests
{
    private static readonly AuthOptions Options = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FakeList _list = new();
    private readonly SessionRevocations _revocations;

    public SessionRevocationsTests()
    {
        _revocations = new SessionRevocations(GrainFactoryOf(_list), Options, _clock, NullLogger<SessionRevocations>.Instance);
    }

    [Fact]
    public async Task A_revocation_made_here_is_refused_at_once_and_one_made_elsewhere_once_the_copy_is_older_than_the_interval()
    {
        Assert.False(await _revocations.IsRevokedAsync("here", default));
        Assert.False(await _revocations.IsRevokedAsync("elsewhere", default));
        Assert.Equal(1, _list.Reads);

        _revocations.Add([new RevokedSession("here", _clock.GetUtcNow().AddMinutes(15))]);
        _list.Revoke("elsewhere", _clock.GetUtcNow().AddMinutes(15));

        Assert.True(await _revocations.IsRevokedAsync("here", default));
        _clock.Advance(Options.RevocationRefresh - TimeSpan.FromTicks(1));
        Assert.False(await _revocations.IsRevokedAsync("elsewhere", default));
        Assert.Equal(1, _list.Reads);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(await _revocations.IsRevokedAsync("elsewhere", default));
        Assert.True(await _revocations.IsRevokedAsync("here", default));
        Assert.Equal(2, _list.Reads);
    }

    [Fact]
    public async Task Revocations_are_forgotten_once_the_tokens_they_refuse_have_expired()
    {
        _list.Revoke("s-1", _clock.GetUtcNow().AddMinutes(15));
        Assert.True(await _revocations.IsRevokedAsync("s-1", default));

        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.False(await _revocations.IsRevokedAsync("s-1", default));
        Assert.Equal(0, _revocations.Count);
    }

    [Fact]
    public async Task A_list_that_does_not_answer_holds_a_request_back_for_at_most_the_read_wait()
    {
        _list.Hang = new TaskCompletionSource<RevocationChanges>(TaskCreationOptions.RunContinuationsAsynchronously);
        _revocations.Add([new RevokedSession("here", _clock.GetUtcNow().AddMinutes(15))]);

        var check = _revocations.IsRevokedAsync("here", default).AsTask();
        Assert.False(check.IsCompleted);
        _clock.Advance(SessionRevocations.MaxReadWait);

        Assert.True(await check);
        Assert.Equal(1, _list.Reads);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_copy_and_is_tried_again_one_interval_later_not_on_every_request()
    {
        _list.Revoke("s-1", _clock.GetUtcNow().AddMinutes(15));
        Assert.True(await _revocations.IsRevokedAsync("s-1", default));
        _list.Fail = true;
        _clock.Advance(Options.RevocationRefresh);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await _revocations.IsRevokedAsync("s-1", default));
        }

        Assert.Equal(2, _list.Reads);
        _clock.Advance(Options.RevocationRefresh);
        Assert.True(await _revocations.IsRevokedAsync("s-1", default));
        Assert.Equal(3, _list.Reads);
    }

    [Fact]
    public async Task A_list_of_another_epoch_is_read_whole()
    {
        _list.Revoke("s-1", _clock.GetUtcNow().AddMinutes(15));
        Assert.True(await _revocations.IsRevokedAsync("s-1", default));

        // The list starts over (its store was replaced): its first addition has the version this node already holds.
        _list.StartOver();
        _list.Revoke("s-2", _clock.GetUtcNow().AddMinutes(15));
        _clock.Advance(Options.RevocationRefresh);

        Assert.True(await _revocations.IsRevokedAsync("s-2", default));
        Assert.Equal((false, 1L), _list.LastAsked);

        // What the node held stays until it expires: entries are only ever added.
        Assert.True(await _revocations.IsRevokedAsync("s-1", default));
    }

    private static IGrainFactory GrainFactoryOf(IRevokedSessionsGrain list)
    {
        var factory = DispatchProxy.Create<IGrainFactory, GrainFactoryProxy>();
        ((GrainFactoryProxy)(object)factory).List = list;
        return factory;
    }

    /// <summary>Answers <c>GetGrain</c> with the list; nothing else is used.</summary>
#pragma warning disable CA1852 // DispatchProxy.Create needs a type it can derive from.
    public class GrainFactoryProxy : DispatchProxy
#pragma warning restore CA1852
    {
        public IRevokedSessionsGrain? List { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
            => targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? List : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>The list as the grain keeps it: versioned additions in one epoch.</summary>
    private sealed class FakeList : IRevokedSessionsGrain
    {
        private readonly List<(RevokedSession Session, long Version)> _entries = [];
        private string _epoch = "e1";

        public int Reads { get; private set; }

        public bool Fail { get; set; }

        public TaskCompletionSource<RevocationChanges>? Hang { get; set; }

        public (bool EpochMatched, long Version) LastAsked { get; private set; }

        public void Revoke(string sessionId, DateTimeOffset until) => _entries.Add((new RevokedSession(sessionId, until), _entries.Count + 1));

        public void StartOver()
        {
            _entries.Clear();
            _epoch = "e2";
        }

        public Task AddAsync(IReadOnlyList<RevokedSession> sessions) => throw new NotSupportedException();

        public Task<RevocationChanges> GetChangesAsync(string? epoch, long version)
        {
            Reads++;
            LastAsked = (epoch == _epoch, version);
            if (Hang is not null)
            {
                return Hang.Task;
            }

            if (Fail)
            {
                return Task.FromException<RevocationChanges>(new TimeoutException("the list did not answer"));
            }

            var complete = epoch != _epoch || version <= 0;
            var latest = _entries.Count == 0 ? 0 : _entries[^1].Version;
            return Task.FromResult(new RevocationChanges(_epoch, latest, [.. _entries.Where(e => complete || e.Version > version).Select(e => e.Session)], complete));
        }
    }
}
