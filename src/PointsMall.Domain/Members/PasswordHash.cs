using System.Security.Cryptography;
using System.Text;

namespace PointsMall.Domain.Members;

/// <summary>
/// A password stored only as a salted, slow hash (PBKDF2-HMAC-SHA256). The iteration count is stored with
/// the hash so it can be raised later without invalidating existing passwords.
/// </summary>
public sealed record PasswordHash(string Algorithm, int Iterations, string Salt, string Hash)
{
    public const string Pbkdf2Sha256 = "pbkdf2-sha256";
    public const int DefaultIterations = 210_000;

    /// <summary>The length a member's password must have.</summary>
    public const int MinLength = 8;

    public const int MaxLength = 128;

    public static PasswordHash Create(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1000);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Derive(password, salt, iterations);
        return new PasswordHash(Pbkdf2Sha256, iterations, Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public bool Verify(string password)
    {
        if (string.IsNullOrEmpty(password) || Algorithm != Pbkdf2Sha256)
        {
            return false;
        }

        var actual = Derive(password, Convert.FromBase64String(Salt), Iterations);
        return CryptographicOperations.FixedTimeEquals(actual, Convert.FromBase64String(Hash));
    }

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
}
