using System.Security.Cryptography;

namespace PointsMall.Api.Auth;

/// <summary>
/// The generated signing key: read from the keys folder, or made once and written there. Several nodes starting at
/// once over a shared folder all end up with the first key written: each writes its own candidate to a file of its
/// own, complete and on disk, then tries to make <c>jwt-signing-key</c> a symbolic link to it. Creating a link fails
/// if the name exists, at once and for all but one (a move or a rename would check, then replace), so the first link
/// made is the key, and every node reads the key through it; the others delete their candidates.
/// </summary>
internal static class SigningKeyFile
{
    public static byte[] LoadOrCreate(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, AuthOptions.SigningKeyFile);
        if (!File.Exists(path))
        {
            var candidateName = $".{AuthOptions.SigningKeyFile}.{Guid.NewGuid():n}";
            var candidate = Path.Combine(folder, candidateName);
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
                // Relative, so the folder may be mounted elsewhere (or restored from a backup) and still hold its key.
                File.CreateSymbolicLink(path, candidateName);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node's key got there first: that one is the key.
                File.Delete(candidate);
            }
        }

        return AuthOptions.DecodeKey(File.ReadAllText(path), path);
    }
}
