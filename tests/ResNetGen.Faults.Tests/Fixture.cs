using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace ResNetGen.Faults.Tests;

/// <summary>The fault tests run one at a time: several start training processes or measure how fast an error comes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "resnetgen faults";
}

/// <summary>
/// A scratch folder with tiny synthetic MNIST-layout datasets (good and broken), one real short
/// training run (its checkpoint and best weights), crafted variants of those files, and a
/// snapshot of every file's hash: no fault may change a file that was saved before it.
/// </summary>
public sealed class FaultFixture : IDisposable
{
    public const int TrainImages = 256, TestImages = 32;

    public FaultFixture()
    {
        Directory.CreateDirectory(Root);
        Data = WriteDataset("data", TrainImages, TestImages, 28, 28);
        BaseRun = Path.Combine(Root, "base");
        var run = Cli.Run(["train", "--dataset", "mnist", "--data", Data, "--epochs", "1", "--batch-size", "32", "--threads", "1",
            "--seed", "3", "-o", BaseRun, "--plain"], Root, TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, $"the base run failed: {run}");
        Checkpoint = Path.Combine(BaseRun, "checkpoint.safetensors");
        Best = Path.Combine(BaseRun, "best.safetensors");
        Snapshot = HashAll();
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"resnetgen-faults-{Guid.NewGuid():N}");

    /// <summary>A good dataset: 256 training and 32 test images, 28×28, random pixels and labels.</summary>
    public string Data { get; }

    public string BaseRun { get; }
    public string Checkpoint { get; }
    public string Best { get; }

    /// <summary>Every file under <see cref="Root"/> when the cases start, with its hash.</summary>
    public IReadOnlyDictionary<string, string> Snapshot { get; private set; }

    /// <summary>The common training arguments on the good data (fast: 1 thread, 1 epoch).</summary>
    public string[] Train(params string[] more) =>
        ["train", "--dataset", "mnist", "--data", Data, "--epochs", "1", "--batch-size", "32", "--threads", "1", "--seed", "3", "--plain", .. more];

    /// <summary>A fresh output folder name (not created).</summary>
    public string NewFolder(string name) => Path.Combine(Root, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);

    /// <summary>Takes a new snapshot after a case created files on purpose (e.g. a crafted input).</summary>
    public void Resnapshot() => Snapshot = HashAll();

    /// <summary>Fails when a file of the snapshot changed or vanished.</summary>
    public void AssertSavedFilesUnchanged(string context)
    {
        var now = HashAll();
        foreach (var (file, hash) in Snapshot)
        {
            Assert.True(now.TryGetValue(file, out var h), $"{file} was deleted ({context})");
            Assert.True(h == hash, $"{file} was changed ({context})");
        }
    }

    private Dictionary<string, string> HashAll()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            using var stream = File.OpenRead(file);
            result[file] = Convert.ToHexString(SHA256.HashData(stream));
        }
        return result;
    }

    // ---- datasets ----

    /// <summary>An MNIST-layout folder: train/t10k images and labels (plain IDX), random content from a fixed seed.</summary>
    public string WriteDataset(string name, int train, int test, int height, int width, bool gzip = false)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        var random = new Random(train * 7919 + height);
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            var pixels = new byte[n * height * width];
            random.NextBytes(pixels);
            var labels = new byte[n];
            for (var i = 0; i < n; i++) labels[i] = (byte)random.Next(10);
            var images = Idx([(uint)n, (uint)height, (uint)width], pixels);
            var labelFile = Idx([(uint)n], labels);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{(gzip ? ".gz" : "")}"), gzip ? Gzip(images) : images);
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{(gzip ? ".gz" : "")}"), gzip ? Gzip(labelFile) : labelFile);
        }
        return dir;
    }

    /// <summary>A copy of the good dataset with one file replaced (or removed, for null bytes).</summary>
    public string DatasetWith(string name, string file, byte[]? bytes)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.EnumerateFiles(Data)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        File.Delete(Path.Combine(dir, file));
        if (bytes is not null) File.WriteAllBytes(Path.Combine(dir, file), bytes);
        return dir;
    }

    public static byte[] Idx(uint[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return output.ToArray();
    }

    // ---- safetensors surgery (a minimal reader/writer of the format, independent of the runtime's) ----

    /// <summary>
    /// Writes a copy of <paramref name="source"/> to <paramref name="name"/> under the root, keeping the tensors
    /// <paramref name="keep"/> accepts and letting <paramref name="edit"/> change the header (metadata included).
    /// </summary>
    public string RewriteSafetensors(string source, string name, Func<string, bool>? keep = null, Action<JsonObject>? edit = null)
    {
        var bytes = File.ReadAllBytes(source);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        var dataStart = 8 + headerLength;
        var output = new MemoryStream();
        var newHeader = new JsonObject();
        foreach (var (key, value) in header.ToList())
        {
            if (key == "__metadata__") { newHeader[key] = value!.DeepClone(); continue; }
            if (keep is not null && !keep(key)) continue;
            var offsets = value!["data_offsets"]!.AsArray();
            var (begin, end) = ((long)offsets[0]!, (long)offsets[1]!);
            var start = output.Length;
            output.Write(bytes, dataStart + (int)begin, (int)(end - begin));
            var entry = value.DeepClone().AsObject();
            entry["data_offsets"] = new JsonArray(start, output.Length);
            newHeader[key] = entry;
        }
        edit?.Invoke(newHeader);
        var json = Encoding.UTF8.GetBytes(newHeader.ToJsonString());
        var path = Path.Combine(Root, name);
        using (var file = File.Create(path))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
            file.Write(length);
            file.Write(json);
            output.Position = 0;
            output.CopyTo(file);
        }
        return path;
    }

    /// <summary>A checkpoint copy whose metadata value <paramref name="key"/> is <paramref name="value"/>.</summary>
    public string CheckpointWithMetadata(string name, string key, string value) =>
        RewriteSafetensors(Checkpoint, name, edit: h => h["__metadata__"]![key] = value);

    /// <summary>Reads a safetensors file's metadata (for assertions).</summary>
    public static Dictionary<string, string> Metadata(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        return header["__metadata__"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
    }

    /// <summary>The tensor bytes (everything after the header) of a safetensors file: equal for bit-identical states in the same layout.</summary>
    public static byte[] TensorBytes(string path, Func<string, bool> which)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        var result = new MemoryStream();
        foreach (var (key, value) in header.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key == "__metadata__" || !which(key)) continue;
            var offsets = value!["data_offsets"]!.AsArray();
            var (begin, end) = ((long)offsets[0]!, (long)offsets[1]!);
            result.Write(Encoding.UTF8.GetBytes(key));
            result.Write(bytes, 8 + headerLength + (int)begin, (int)(end - begin));
        }
        return result.ToArray();
    }

    public void Dispose()
    {
        FaultTable.Write(Root);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
