using System.Reflection;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Generators.Tests.Support;

/// <summary>
/// Stands in for the runtime: keeps every request and runs it against <paramref name="target"/> at once, so
/// a proxy call returns what the grain returned.
/// </summary>
public sealed class RecordingInvoker(object target) : IGrainCallInvoker
{
    public List<(GrainId Grain, GrainCall Request)> Calls { get; } = [];

    public Task<TResult> InvokeAsync<TGrain, TResult>(GrainId grain, GrainRequest<TGrain, TResult> request)
        where TGrain : IGrain
    {
        Calls.Add((grain, request));
        return (Task<TResult>)RunOnGrain(request);
    }

    public Task InvokeAsync<TGrain>(GrainId grain, GrainRequest<TGrain> request)
        where TGrain : IGrain
    {
        Calls.Add((grain, request));
        return RunOnGrain(request);
    }

    // The runtime reaches the generated InvokeAsync through GrainCall's internal StartAsync; a test can only
    // use reflection on the protected override.
    private Task RunOnGrain(GrainCall request)
        => (Task)request.GetType()
            .GetMethod("InvokeAsync", BindingFlags.Instance | BindingFlags.NonPublic)!
            .Invoke(request, [target])!;
}
