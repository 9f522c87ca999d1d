using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PointsMall.Api.Auth;

/// <summary>A refresh token as given to the client, and the hash its session keeps.</summary>
public sealed record NewRefreshToken(string Token, string Hash);

/// <summary>
/// Refresh tokens are opaque to clients: <c>{session key, base64url}.{session id}.{secret}</c>, where the secret is 256
/// random bits. The key and the session id say which session to ask; only the secret's SHA-256 is ever stored.
/// </summary>
public static class RefreshTokens
{
    /// <summary>Far longer than any token this API issues; anything longer is refused unread.</summary>
    public const int MaxLength = 400;

    private const int SessionIdBytes = 16;
    private const int SecretBytes = 32;

    public static string NewSessionId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SessionIdBytes));

    public static NewRefreshToken Create(string sessionKey, string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        return new NewRefreshToken($"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(sessionKey))}.{sessionId}.{secret}", Hash(secret));
    }

    /// <summary>The session key, session id and secret hash of a well-formed token; false for anything else.</summary>
    public static bool TryRead(string? token, out string sessionKey, out string sessionId, out string hash)
    {
        sessionKey = sessionId = hash = "";
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || !IsBase64Url(parts[0]) || !IsBase64Url(parts[1]) || !IsBase64Url(parts[2])
            || Base64Url.GetMaxDecodedLength(parts[1].Length) < SessionIdBytes || Base64Url.GetMaxDecodedLength(parts[2].Length) < SecretBytes)
        {
            return false;
        }

        try
        {
            sessionKey = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        }
        catch (FormatException)
        {
            return false;
        }

        sessionId = parts[1];
        hash = Hash(parts[2]);
        return true;
    }

    private static bool IsBase64Url(string part) => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Hash(string secret) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
