using System.Text;
using ResNetGen.Torch; // AtomicWrite and IoErrors: internal, shared as source with the runtime

namespace ResNetGen.Reports;

/// <summary>
/// Writes report files atomically (see <see cref="AtomicWrite"/>), creating their folder first.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string contents) => Write(path, stream =>
    {
        var bytes = Utf8NoBom.GetBytes(contents);
        stream.Write(bytes);
    });

    /// <summary>Calls <paramref name="write"/> with a stream to the temporary file, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (IoErrors.IsFileSystem(e))
        {
            throw new IOException($"cannot create folder '{directory}' for '{path}': {IoErrors.Cause(e, directory)}", e);
        }
        AtomicWrite.Write(path, write);
    }
}
