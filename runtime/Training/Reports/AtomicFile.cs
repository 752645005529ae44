using System.Text;
using ResNetGen.Torch;

namespace ResNetGen.Training;

/// <summary>
/// Writes a file so that readers (and a crash) see either the old content or the new, never a
/// half-written file: the text goes to a temporary file in the same folder, is flushed to disk,
/// and is renamed over the target. The temporary file never outlives the call.
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
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "value")
        {
            // What .NET makes of EFBIG: the file outgrew the file system's or the process's limit (ulimit -f).
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new IOException($"cannot write '{path}': the file is larger than the file system or the file-size limit (ulimit -f) allows", e);
        }
        catch (Exception e) when (IoErrors.IsFileSystem(e))
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a folder", e);
            throw IoErrors.WriteFailed(path, e);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
