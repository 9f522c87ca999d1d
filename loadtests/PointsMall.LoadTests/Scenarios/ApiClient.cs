using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Scenarios;

/// <summary>A response reduced to what the runner needs: status, JSON body and problem <c>code</c>.</summary>
public sealed record ApiResponse(int Status, JsonElement Body, string? Code)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>OK for 2xx and for the listed business refusals (e.g. sold_out), which are answers, not failures.</summary>
    public StepOutcome ToOutcome(params string[] acceptedCodes)
        => IsSuccess || (Code is not null && acceptedCodes.Contains(Code)) ? new StepOutcome(true, Status, Code) : new StepOutcome(false, Status, Code ?? "");

    public string? Text(string property) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public long Number(string property) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0;

    public ApiResponse EnsureSuccess(string what) => IsSuccess
        ? this
        : throw new InvalidOperationException($"Could not {what}: HTTP {Status} {Code} {(Body.ValueKind == JsonValueKind.Undefined ? "" : Body.GetRawText())}");
}

/// <summary>
/// The target deployment: one or several base URLs (API nodes) used round-robin, one pooled connection handler
/// each. A node that fails to answer (refused, reset, cut off) is passed over for <see cref="EjectionTime"/> (as a load balancer's
/// passive health check does), so a lost node costs its in-flight requests and a retry, not every other request.
/// Tests pass a handler factory (an in-memory test server).
/// </summary>
public sealed class ApiTargets : IDisposable
{
    /// <summary>How long a node whose connection failed is passed over (unless every node is).</summary>
    public static readonly TimeSpan EjectionTime = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient[] _clients;
    private readonly long[] _ejectedUntil;
    private readonly TimeProvider _time;
    private long _next;

    public ApiTargets(IReadOnlyList<Uri> baseUrls, TimeSpan requestTimeout, Func<HttpMessageHandler>? handlerFactory = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(baseUrls);
        if (baseUrls.Count == 0)
        {
            throw new ArgumentException("At least one target URL is needed.", nameof(baseUrls));
        }

        BaseUrls = baseUrls;
        _clients = baseUrls.Select(url => new HttpClient(
            handlerFactory?.Invoke() ?? new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = 4096,
                EnableMultipleHttp2Connections = true,
            },
            disposeHandler: true)
        {
            BaseAddress = url,
            Timeout = requestTimeout,
        }).ToArray();
        _ejectedUntil = new long[_clients.Length];
    }

    public IReadOnlyList<Uri> BaseUrls { get; }

    /// <summary>The next node, round-robin, passing over ejected ones while any other is left.</summary>
    private int NextIndex()
    {
        var now = _time.GetTimestamp();
        var first = (int)((ulong)Interlocked.Increment(ref _next) % (ulong)_clients.Length);
        for (var i = 0; i < _clients.Length; i++)
        {
            var index = (first + i) % _clients.Length;
            if (Interlocked.Read(ref _ejectedUntil[index]) <= now)
            {
                return index;
            }
        }

        return first;
    }

    public Task<ApiResponse> GetAsync(string path, string? token, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, path, null, token, null, cancellationToken);

    public Task<ApiResponse> PostAsync(string path, object? body, string? token, CancellationToken cancellationToken, string? idempotencyKey = null)
        => SendAsync(HttpMethod.Post, path, body, token, idempotencyKey, cancellationToken);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, object? body, string? token, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri("api/v1/" + path.TrimStart('/'), UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        var index = NextIndex();
        HttpResponseMessage sent;
        try
        {
            sent = await _clients[index].SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // Refused, reset or cut off: the node did not answer at all (a timeout is not counted against it).
            Interlocked.Exchange(ref _ejectedUntil[index], _time.GetTimestamp() + (long)(EjectionTime.TotalSeconds * _time.TimestampFrequency));
            throw;
        }

        using var response = sent;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var json = default(JsonElement);
        if (bytes.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                json = JsonSerializer.Deserialize<JsonElement>(bytes, Json);
            }
            catch (JsonException)
            {
                json = default;
            }
        }

        string? code = null;
        if (!response.IsSuccessStatusCode)
        {
            code = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : "";
        }

        return new ApiResponse((int)response.StatusCode, json, code);
    }

    /// <summary>
    /// GET <paramref name="path"/> (relative to the node's root, not the API) from one node, as text: the operations
    /// endpoints such as <c>/metrics</c>, read node by node rather than round-robin.
    /// </summary>
    public async Task<(int Status, string Text)> GetRawAsync(int node, string path, CancellationToken cancellationToken)
    {
        using var response = await _clients[node].GetAsync(new Uri(path.TrimStart('/'), UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Signs in and returns the bearer token and how long it lasts (<c>expiresIn</c>).</summary>
    public async Task<(string Token, TimeSpan Lifetime)> LoginAsync(string login, string password, CancellationToken cancellationToken)
    {
        var response = (await PostAsync("auth/login", new { login, password }, null, cancellationToken).ConfigureAwait(false)).EnsureSuccess($"sign in as {login}");
        var token = response.Text("accessToken") ?? throw new InvalidOperationException($"The login of {login} returned no accessToken.");
        var seconds = response.Number("expiresIn");
        return (token, seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.MaxValue);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
