namespace ResNetGen.Torch;

/// <summary>File-system failures as one line that names the path and the cause.</summary>
internal static class IoErrors
{
    /// <summary>
    /// The operating system's reason in a few words ("No space left on device", "permission denied"),
    /// without the path .NET repeats in its messages (the caller's message names it once).
    /// </summary>
    public static string Cause(Exception e, string path)
    {
        if (e is UnauthorizedAccessException) return "permission denied";
        var full = path;
        try { full = Path.GetFullPath(path); } catch (Exception x) when (x is ArgumentException or NotSupportedException or PathTooLongException) { }
        var message = e.Message;
        foreach (var p in new[] { full, path })
            message = message.Replace($" : '{p}'", "", StringComparison.Ordinal).Replace($" '{p}'", "", StringComparison.Ordinal);
        return message.Trim().TrimEnd('.');
    }

    /// <summary>Whether <paramref name="e"/> is a file-system failure (as opposed to a bug).</summary>
    public static bool IsFileSystem(Exception e) => e is IOException or UnauthorizedAccessException && e is not InvalidDataException;

    /// <summary>An <see cref="IOException"/> "cannot write 'path': cause" (keeps the original as the inner exception).</summary>
    public static IOException WriteFailed(string path, Exception e) => new($"cannot write '{path}': {Cause(e, path)}", e);

    /// <summary>An <see cref="IOException"/> "cannot read 'path': cause".</summary>
    public static IOException ReadFailed(string path, Exception e) => new($"cannot read '{path}': {Cause(e, path)}", e);

    /// <summary>Throws when <paramref name="path"/> is empty or names a folder: the checks a file open reports badly.</summary>
    public static void CheckReadableFile(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"the {what} path is empty");
        if (Directory.Exists(path)) throw new IOException($"{what} '{path}' is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} not found: {path}", path);
    }
}
