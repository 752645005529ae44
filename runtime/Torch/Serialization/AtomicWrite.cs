namespace ResNetGen.Torch;

/// <summary>
/// Writes a file so that readers (and a crash) see either the old content or the new, never a
/// half-written file: the bytes go to a temporary file in the same folder, are flushed to disk, and
/// the file is renamed over the target. The temporary file never outlives the call; file-system
/// failures become one line naming the path and the cause.
/// </summary>
internal static class AtomicWrite
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        // The process id in the name lets a later run tell a stale temp file (its writer is gone) from a live one.
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
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (Failure(path, full, e) is { } failure) throw failure;
            throw;
        }
    }

    /// <summary>The one-line error for a failed write, or null when <paramref name="e"/> is not a file-system failure.</summary>
    private static IOException? Failure(string path, string full, Exception e)
    {
        // What .NET makes of EFBIG: the file outgrew the file system's or the process's limit (ulimit -f).
        if (e is ArgumentOutOfRangeException { ParamName: "value" })
            return new IOException($"cannot write '{path}': the file is larger than the file system or the file-size limit (ulimit -f) allows", e);
        if (!IoErrors.IsFileSystem(e)) return null;
        if (Directory.Exists(full)) return new IOException($"cannot write '{path}': it is a folder", e);
        return IoErrors.WriteFailed(path, e);
    }
}
