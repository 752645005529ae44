using System.Text.RegularExpressions;
using ResNetGen.Torch; // AtomicWrite and IoErrors: internal, shared as source with the runtime

namespace ResNetGen.Reports;

/// <summary>
/// The folder a run writes into, checked before any time is spent on training: created if
/// needed, then really written (a probe file is created, flushed and deleted), because only a
/// write tells a read-only mount, a full disk, a quota, sysfs or a permission problem apart from
/// a usable folder. Also removes the temporary files an interrupted atomic write left behind.
/// </summary>
public static partial class OutputFolder
{
    /// <summary>
    /// Creates <paramref name="directory"/> (and its parents), writes and deletes a probe file in it,
    /// and deletes stale temporary files of <see cref="AtomicFile"/> and the safetensors writer.
    /// Throws an <see cref="IOException"/> whose message names the path and the cause.
    /// </summary>
    /// <returns>The names of the stale temporary files removed.</returns>
    public static IReadOnlyList<string> Prepare(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("the output folder is empty", nameof(directory));
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new IOException($"output folder '{directory}' is not a valid path: {e.Message}", e);
        }
        if (File.Exists(full)) throw new IOException($"output folder '{directory}' is a file, not a folder");
        // A file where a parent folder should be ("runs/x" when "runs" is a file) reads as "could not find a part of the path".
        for (var parent = Path.GetDirectoryName(full); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent)) throw new IOException($"cannot create output folder '{directory}': '{parent}' is a file, not a folder");
            if (Directory.Exists(parent)) break;
        }
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create output folder '{directory}': {Cause(e, full)}", e);
        }

        var probe = Path.Combine(full, $".resnetgen-write-probe.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.DeleteOnClose))
            {
                // A few KiB and a flush to disk: a full file system or a tiny quota fails here, not after an epoch.
                stream.Write(new byte[4096]);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"output folder '{directory}' is not writable: {Cause(e, probe)}", e);
        }
        finally
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return RemoveStaleTemporaryFiles(full);
    }

    /// <summary>
    /// Deletes the temporary files (".name.[pid.]guid.tmp") a killed atomic write leaves in
    /// <paramref name="directory"/>. Only names of that exact shape are touched: a user's own *.tmp stays.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaryFiles(string directory)
    {
        var removed = new List<string>();
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, ".*.tmp").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return removed;
        }
        foreach (var file in candidates)
        {
            var name = Path.GetFileName(file);
            var match = TemporaryName().Match(name);
            if (!match.Success) continue;
            // A temp file of a writer that still runs (same folder, another live process) is left alone.
            if (match.Groups["pid"].Success && int.TryParse(match.Groups["pid"].Value, out var pid) && pid != Environment.ProcessId && IsAlive(pid))
                continue;
            try
            {
                File.Delete(file);
                removed.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort: a file we cannot delete is no reason not to train
            }
        }
        return removed;
    }

    /// <summary>The operating system's reason in a few words ("No space left on device", "permission denied").</summary>
    public static string Cause(Exception e, string path) => IoErrors.Cause(e, path);

    private static bool IsAlive(int pid) => OperatingSystem.IsLinux() ? Directory.Exists($"/proc/{pid}") : true;

    // ".<name>.<32 hex>.tmp" (safetensors) or ".<name>.<pid>.<32 hex>.tmp" (AtomicFile, the probe).
    [GeneratedRegex(@"^\..+?(\.(?<pid>[0-9]+))?\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();
}
