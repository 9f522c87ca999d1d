using System.Net;
using Microsoft.Extensions.Time.Testing;
using PointsMall.LoadTests.Scenarios;

namespace PointsMall.LoadTests.Tests.Scenarios;

/// <summary>Round-robin over API nodes, passing over a node that refused a connection for a while.</summary>
public sealed class ApiTargetsTests
{
    [Fact]
    public async Task A_node_that_refuses_connections_is_passed_over_until_its_ejection_ends()
    {
        var clock = new FakeTimeProvider();
        var handlers = new[] { new CountingHandler(refuse: true), new CountingHandler(refuse: false) };
        var next = 0;
        using var api = new ApiTargets([new Uri("http://node-a/"), new Uri("http://node-b/")], TimeSpan.FromSeconds(5), () => handlers[next++], clock);

        var refused = 0;
        for (var i = 0; i < 10; i++)
        {
            try
            {
                await api.GetAsync("ping", null, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                refused++;
            }
        }

        // One request met the dead node; every later one went to the live node.
        Assert.Equal((1, 1, 9), (refused, handlers[0].Calls, handlers[1].Calls));

        // After the ejection the node is tried again (and, still dead, passed over again).
        clock.Advance(ApiTargets.EjectionTime);
        for (var i = 0; i < 2; i++)
        {
            try
            {
                await api.GetAsync("ping", null, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                refused++;
            }
        }

        Assert.Equal((2, 2, 10), (refused, handlers[0].Calls, handlers[1].Calls));
    }

    private sealed class CountingHandler(bool refuse) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return refuse
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
