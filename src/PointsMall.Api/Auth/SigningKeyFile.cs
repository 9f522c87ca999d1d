using System.Security.Cryptography;

namespace PointsMall.Api.Auth;

/// <summary>
/// The generated signing key: read from the keys folder, or made once and written there. Several nodes starting at
/// once over a shared folder all end up with the first key written: each writes its own candidate to a file of its
/// own and links it into place only if no key is there yet (an atomic create), then reads what is there.
/// </summary>
internal static class SigningKeyFile
{
    public static byte[] LoadOrCreate(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, AuthOptions.SigningKeyFile);
        if (!File.Exists(path))
        {
            var candidate = Path.Combine(folder, $".{AuthOptions.SigningKeyFile}.{Guid.NewGuid():n}");
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // Readable by the service's user only.
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(candidate, create))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(AuthOptions.MinKeyBytes)));
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(candidate, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node's key got there first: that one is the key.
            }
            finally
            {
                File.Delete(candidate);
            }
        }

        return AuthOptions.DecodeKey(File.ReadAllText(path), path);
    }
}
