using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace ResNetGen.Generator.Tests;

/// <summary>
/// The project's snapshot helper. Each generated file is compared with
/// <c>Snapshots/{Test}#{HintName}.verified.cs</c> and the diagnostics with
/// <c>Snapshots/{Test}#diagnostics.verified.txt</c>. On a mismatch the actual text goes to a
/// <c>.received.</c> file beside it and the test fails with a line diff (DiffPlex).
/// Set <c>RESNETGEN_ACCEPT=1</c> to accept received output as verified; never honoured when <c>CI=true</c>.
/// </summary>
public static class Snapshot
{
    public static bool Accepting =>
        Environment.GetEnvironmentVariable("RESNETGEN_ACCEPT") == "1" &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Directory([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, "Snapshots");

    /// <summary>Verifies every generated file and the generator's diagnostics of <paramref name="run"/>.</summary>
    public static void Verify(string test, GeneratorRun run, [CallerFilePath] string caller = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(caller)!, "Snapshots");
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (hint, source) in run.Generated)
        {
            var name = hint.EndsWith(".cs", StringComparison.Ordinal) ? hint[..^3] : hint;
            expected[$"{test}#{name}.verified.cs"] = source;
        }
        expected[$"{test}#diagnostics.verified.txt"] = GeneratorHarness.Describe(run.GeneratorDiagnostics);
        VerifyFiles(dir, test, expected);
    }

    /// <summary>Verifies named texts against the snapshot directory; stale verified files of the test fail too.</summary>
    public static void VerifyFiles(string dir, string test, IReadOnlyDictionary<string, string> files)
    {
        System.IO.Directory.CreateDirectory(dir);
        var failures = new StringBuilder();
        foreach (var (file, rawActual) in files)
        {
            var actual = Normalise(rawActual);
            var verifiedPath = Path.Combine(dir, file);
            var receivedPath = Path.Combine(dir, file.Replace(".verified.", ".received.", StringComparison.Ordinal));
            var verified = File.Exists(verifiedPath) ? Normalise(File.ReadAllText(verifiedPath)) : null;
            if (verified == actual)
            {
                if (File.Exists(receivedPath)) File.Delete(receivedPath);
                continue;
            }
            if (Accepting)
            {
                File.WriteAllText(verifiedPath, actual);
                if (File.Exists(receivedPath)) File.Delete(receivedPath);
                continue;
            }
            File.WriteAllText(receivedPath, actual);
            failures.Append(verified is null
                ? $"New snapshot {file}: no verified file; received written to {receivedPath}.\n"
                : $"Snapshot {file} differs (received written to {receivedPath}):\n{Diff(verified, actual)}\n");
        }

        var prefix = test + "#";
        foreach (var stale in System.IO.Directory.EnumerateFiles(dir, prefix + "*.verified.*"))
        {
            var name = Path.GetFileName(stale);
            if (files.ContainsKey(name)) continue;
            if (Accepting)
            {
                File.Delete(stale);
                continue;
            }
            failures.Append($"Stale snapshot {name}: the generator no longer produces it.\n");
        }

        if (failures.Length > 0)
        {
            throw new XunitException(failures + "\nAccept intended changes with RESNETGEN_ACCEPT=1 (ignored when CI=true).");
        }
    }

    private static string Normalise(string text) => text.ReplaceLineEndings("\n");

    /// <summary>A readable unified-style diff: changed lines with 2 lines of context, line numbers of the verified file.</summary>
    public static string Diff(string verified, string actual)
    {
        var model = new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(verified, actual, ignoreWhitespace: false);
        var lines = model.Lines;
        var show = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type is ChangeType.Inserted or ChangeType.Deleted)
            {
                for (var j = Math.Max(0, i - 2); j <= Math.Min(lines.Count - 1, i + 2); j++) show[j] = true;
            }
        }
        var sb = new StringBuilder();
        var gap = false;
        var shown = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!show[i])
            {
                gap = true;
                continue;
            }
            if (gap && sb.Length > 0) sb.Append("  ...\n");
            gap = false;
            var line = lines[i];
            var mark = line.Type switch { ChangeType.Inserted => "+ ", ChangeType.Deleted => "- ", _ => "  " };
            var number = line.Position is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5) : "     ";
            sb.Append(number).Append(' ').Append(mark).Append(line.Text).Append('\n');
            if (++shown > 200)
            {
                sb.Append("  ... (diff truncated)\n");
                break;
            }
        }
        return sb.ToString();
    }
}
