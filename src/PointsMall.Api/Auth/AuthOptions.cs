using System.Globalization;

namespace PointsMall.Api.Auth;

/// <summary>
/// Access and refresh tokens (configuration section <c>Auth</c>). Access tokens are JWTs signed with HMAC-SHA256 by
/// <see cref="SigningKey"/>, which every API node of a deployment must share: given here (base64, at least 256 bits),
/// or generated once into <see cref="KeysPath"/> (<c>DataProtection:KeysPath</c>, the folder the data-protection keys
/// live in), which nodes that share the folder then share.
/// </summary>
public sealed record AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The file the generated signing key is kept in, inside <see cref="KeysPath"/>.</summary>
    public const string SigningKeyFile = "jwt-signing-key";

    public const int MinKeyBytes = 32;

    /// <summary>Base64 of at least <see cref="MinKeyBytes"/> random bytes; empty: generated into <see cref="KeysPath"/>.</summary>
    public string? SigningKey { get; init; }

    public string KeysPath { get; init; } = "./data/keys";

    public string Issuer { get; init; } = "pointsmall";

    public string Audience { get; init; } = "pointsmall-api";

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a refresh token may wait to be used; each use gives a new one for as long again.</summary>
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(14);

    /// <summary>How far apart the nodes' clocks may be: tokens are accepted this long before nbf and after exp.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The staleness bound of revocation: a node reads the cluster's revocation list again once what it holds is
    /// older than this (the requests meanwhile wait for the read, up to <see cref="SessionRevocations.MaxReadWait"/>),
    /// so a token revoked through one node is refused by every other node at most this long after the revocation was
    /// answered (at once by that node), while the list answers.
    /// </summary>
    public TimeSpan RevocationRefresh { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Wrong passwords for one login within <see cref="FailureWindow"/> that lock it for <see cref="LockFor"/>.</summary>
    public int LoginFailures { get; init; } = 5;

    /// <summary>Failed sign-ins from one client address, whatever the logins, within the window that lock the address.</summary>
    public int AddressFailures { get; init; } = 30;

    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan LockFor { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Reads and checks the section; a setting that cannot work stops the node at start, with its name.</summary>
    public static AuthOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var defaults = new AuthOptions();
        var options = new AuthOptions
        {
            SigningKey = section["SigningKey"],
            KeysPath = configuration["DataProtection:KeysPath"] ?? defaults.KeysPath,
            Issuer = section["Issuer"] ?? defaults.Issuer,
            Audience = section["Audience"] ?? defaults.Audience,
            AccessTokenLifetime = Duration(section, "AccessTokenLifetime", defaults.AccessTokenLifetime),
            RefreshTokenLifetime = Duration(section, "RefreshTokenLifetime", defaults.RefreshTokenLifetime),
            ClockSkew = Duration(section, "ClockSkew", defaults.ClockSkew, allowZero: true),
            RevocationRefresh = Duration(section, "RevocationRefresh", defaults.RevocationRefresh),
            LoginFailures = Count(section, "LoginFailures", defaults.LoginFailures),
            AddressFailures = Count(section, "AddressFailures", defaults.AddressFailures),
            FailureWindow = Duration(section, "FailureWindow", defaults.FailureWindow),
            LockFor = Duration(section, "LockFor", defaults.LockFor),
        };
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            _ = DecodeKey(options.SigningKey, "Auth:SigningKey");
        }

        return options;
    }

    /// <summary>The key bytes of a base64 key, refused unless it holds at least <see cref="MinKeyBytes"/>.</summary>
    public static byte[] DecodeKey(string base64, string where)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{where} is not base64: give at least {MinKeyBytes} random bytes in base64 (e.g. `openssl rand -base64 32`).");
        }

        return key.Length >= MinKeyBytes
            ? key
            : throw new InvalidOperationException($"{where} holds {key.Length} bytes: an HMAC-SHA256 key needs at least {MinKeyBytes} (256 bits).");
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, bool allowZero = false)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero))
            ? value
            : throw new InvalidOperationException($"{Section}:{key} '{text}' is not a {(allowZero ? "non-negative" : "positive")} duration (hh:mm:ss or d.hh:mm:ss).");
    }

    private static int Count(IConfigurationSection section, string key, int fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidOperationException($"{Section}:{key} '{text}' is not a positive whole number.");
    }
}
