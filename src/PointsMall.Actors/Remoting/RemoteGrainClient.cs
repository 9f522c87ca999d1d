using System.Buffers;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Remoting;

/// <summary>Where an API node finds its silo, and how long it waits for a call.</summary>
public sealed class RemoteGrainClientOptions
{
    /// <summary>Base address of the silo's gateway, e.g. <c>http://127.0.0.1:5090</c>.</summary>
    public Uri? Gateway { get; set; }

    /// <summary>Sent with every call when set; must equal the silo's <see cref="GrainGatewayOptions.Secret"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// How long a caller waits for a reply (transport included). A little above the silo's own call timeout
    /// (30 s by default), so that a timeout inside the silo arrives as the silo's answer rather than as ours.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(35);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// An <see cref="IGrainFactory"/> whose grains live in a silo in another process: each call is one HTTP/2
/// request to the silo's gateway (<see cref="GrainWire"/>), multiplexed on a small pool of connections. The
/// silo answers only after the call's changes are durable. Runtime faults come back as their own exception
/// types; exceptions a grain threw as <see cref="RemoteGrainException"/>; an unreachable silo as
/// <see cref="SiloUnavailableException"/>; no answer within <see cref="RemoteGrainClientOptions.CallTimeout"/>
/// as <see cref="GrainCallTimeoutException"/> (the call may still be applied: callers retry with the same
/// operation id, as they would after an in-process timeout).
/// </summary>
public sealed class RemoteGrainClient : IGrainFactory, IGrainCallInvoker, IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _calls;
    private readonly Uri _ready;
    private readonly string? _secret;
    private readonly TimeSpan _timeout;

    public RemoteGrainClient(RemoteGrainClientOptions options)
        : this(options, CreateHandler(options))
    {
    }

    public RemoteGrainClient(RemoteGrainClientOptions options, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        Gateway = options.Gateway ?? throw new ArgumentException("The silo gateway address (Silo:Gateway) is required.", nameof(options));
        if (!Gateway.IsAbsoluteUri || (Gateway.Scheme != Uri.UriSchemeHttp && Gateway.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The silo gateway address '{Gateway}' must be an absolute http(s) URL.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CallTimeout, TimeSpan.Zero, nameof(options));
        _calls = new Uri(Gateway, GrainWire.CallsPath);
        _ready = new Uri(Gateway, GrainWire.ReadyPath);
        _secret = string.IsNullOrEmpty(options.Secret) ? null : options.Secret;
        _timeout = options.CallTimeout;

        // Every message asks for HTTP/2 exactly (without TLS that means prior knowledge): one connection carries
        // many calls at once. (DefaultRequestVersion would not apply: it is only for HttpClient's own helpers.)
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Gateway { get; }

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrain
    {
        ArgumentNullException.ThrowIfNull(key);
        return GrainProxies<TGrain>.Create(key, this);
    }

    public async Task<TResult> InvokeAsync<TGrain, TResult>(GrainId grain, GrainRequest<TGrain, TResult> request)
        where TGrain : IGrain
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            request.WriteWireArguments(writer, GrainJson.Options);
        }

        var body = await CallAsync(grain, request.MethodName, request.WireMethodId, buffer.WrittenMemory).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<TResult>(body, GrainJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw new GrainGatewayException($"The reply of {grain}.{request.MethodName} could not be read: {ex.Message}", ex);
        }
    }

    public async Task InvokeAsync<TGrain>(GrainId grain, GrainRequest<TGrain> request)
        where TGrain : IGrain
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            request.WriteWireArguments(writer, GrainJson.Options);
        }

        await CallAsync(grain, request.MethodName, request.WireMethodId, buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>Succeeds when the silo takes calls and reaches its store; otherwise throws <see cref="SiloUnavailableException"/>.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var message = new HttpRequestMessage(HttpMethod.Get, _ready)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        AddSecret(message);
        try
        {
            using var response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var detail = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                throw new SiloUnavailableException($"The silo gateway at {Gateway} is not ready ({(int)response.StatusCode}): {detail}");
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SiloUnavailableException($"The silo gateway at {Gateway} did not answer within {_timeout.TotalMilliseconds:0} ms.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<byte[]> CallAsync(GrainId grain, string methodName, string methodId, ReadOnlyMemory<byte> arguments)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _calls)
        {
            Content = new ReadOnlyMemoryContent(arguments),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var headers = message.Headers;
        headers.TryAddWithoutValidation(GrainWire.GrainTypeHeader, grain.Type);
        headers.TryAddWithoutValidation(GrainWire.GrainKeyHeader, Uri.EscapeDataString(grain.Key));
        headers.TryAddWithoutValidation(GrainWire.MethodHeader, Uri.EscapeDataString(methodId));
        AddSecret(message);

        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK or HttpStatusCode.NoContent => body,
                _ when response.Content.Headers.ContentType?.MediaType == GrainWire.FaultMediaType => throw GrainWire.FromFault(ReadFault(grain, methodName, body)),
                HttpStatusCode.Unauthorized => throw new SiloUnavailableException($"The silo gateway at {Gateway} refused this node's secret: {Detail(body)}"),
                HttpStatusCode.BadRequest or HttpStatusCode.NotFound => throw new GrainGatewayException($"The silo gateway refused {grain}.{methodName}: {Detail(body)}"),
                _ => throw new SiloUnavailableException($"The silo gateway at {Gateway} answered {(int)response.StatusCode} to {grain}.{methodName}."),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new GrainCallTimeoutException(grain, methodName, _timeout);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    private void AddSecret(HttpRequestMessage message)
    {
        if (_secret is not null)
        {
            message.Headers.TryAddWithoutValidation(GrainWire.SecretHeader, _secret);
        }
    }

    private SiloUnavailableException Unreachable(HttpRequestException ex)
        => new($"The silo gateway at {Gateway} is unreachable: {ex.Message}", ex);

    private static GrainFault ReadFault(GrainId grain, string methodName, byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<GrainFault>(body, GrainJson.Options)
                ?? throw new GrainGatewayException($"The silo sent an empty fault for {grain}.{methodName}.");
        }
        catch (JsonException ex)
        {
            throw new GrainGatewayException($"The silo sent an unreadable fault for {grain}.{methodName}: {ex.Message}", ex);
        }
    }

    private static string Detail(byte[] body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return System.Text.Encoding.UTF8.GetString(body);
        }
    }

    private static SocketsHttpHandler CreateHandler(RemoteGrainClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            // Past the silo's concurrent-stream limit on one connection, open another rather than queue calls.
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),

            // Notices a silo that vanished without closing its connections (power loss, partition).
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
        };
    }
}

public static class RemoteGrainClientServiceCollectionExtensions
{
    /// <summary>Makes <see cref="IGrainFactory"/> a <see cref="RemoteGrainClient"/>: grains run in the silo at the configured gateway.</summary>
    public static IServiceCollection AddRemoteGrainClient(this IServiceCollection services, Action<RemoteGrainClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RemoteGrainClientOptions();
        configure(options);
        services.TryAddSingleton(_ => new RemoteGrainClient(options));
        services.RemoveAll<IGrainFactory>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<RemoteGrainClient>());
        return services;
    }
}
