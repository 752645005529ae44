using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>Which CIFAR-100 label a dataset carries.</summary>
public enum CifarLabel
{
    /// <summary>The 100 fine classes.</summary>
    Fine,
    /// <summary>The 20 coarse superclasses.</summary>
    Coarse,
}

/// <summary>
/// CIFAR-10 in its binary format ("CIFAR-10 binary version"): <c>data_batch_1.bin</c> …
/// <c>data_batch_5.bin</c> and <c>test_batch.bin</c>, each record one label byte then a 32×32
/// image as 1024 red, 1024 green and 1024 blue bytes.
/// </summary>
public static class Cifar10
{
    public static IReadOnlyList<string> Classes { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The folder name the official archive unpacks to.</summary>
    public const string FolderName = "cifar-10-batches-bin";

    /// <summary>
    /// The training set (50,000 images, the five data batches) or the test set (10,000), as uint8
    /// <c>[N, 3, 32, 32]</c> and int64 labels. <paramref name="root"/> is the folder holding the
    /// .bin files or its parent (holding <c>cifar-10-batches-bin</c>).
    /// </summary>
    public static TensorDataset Load(string root, bool train)
    {
        var dir = CifarFormat.Resolve(root, FolderName, "data_batch_1.bin");
        var files = train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")).ToArray()
            : [Path.Combine(dir, "test_batch.bin")];
        var parts = files.Select(f => CifarFormat.Read(f, [10])).ToList();
        return CifarFormat.ToDataset(parts, 0, Classes);
    }

    /// <summary>One CIFAR-10 .bin file: images uint8 <c>[N, 3, 32, 32]</c>, labels int64 <c>[N]</c>.</summary>
    public static (Tensor Images, Tensor Labels) ReadFile(string path)
    {
        var (images, labels, n) = CifarFormat.Read(path, [10]);
        return (CifarFormat.ImagesTensor(images, n), torch.tensor(labels[0]));
    }
}

/// <summary>
/// CIFAR-100 in its binary format: <c>train.bin</c> (50,000) and <c>test.bin</c> (10,000), each
/// record a coarse label byte, a fine label byte, then a 32×32 RGB image (planar, as CIFAR-10).
/// </summary>
public static class Cifar100
{
    /// <summary>The folder name the official archive unpacks to.</summary>
    public const string FolderName = "cifar-100-binary";

    /// <summary>
    /// The training or test set with the fine (100) or coarse (20) labels. Class names come from
    /// <c>fine_label_names.txt</c> / <c>coarse_label_names.txt</c> when the folder has them.
    /// </summary>
    public static TensorDataset Load(string root, bool train, CifarLabel label = CifarLabel.Fine)
    {
        var dir = CifarFormat.Resolve(root, FolderName, "train.bin");
        var part = CifarFormat.Read(Path.Combine(dir, train ? "train.bin" : "test.bin"), [20, 100]);
        var namesFile = Path.Combine(dir, label == CifarLabel.Fine ? "fine_label_names.txt" : "coarse_label_names.txt");
        IReadOnlyList<string>? names = File.Exists(namesFile)
            ? File.ReadAllLines(namesFile).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToArray()
            : null;
        return CifarFormat.ToDataset([part], label == CifarLabel.Fine ? 1 : 0, names);
    }

    /// <summary>One CIFAR-100 .bin file: images uint8 <c>[N, 3, 32, 32]</c>, coarse and fine labels int64 <c>[N]</c>.</summary>
    public static (Tensor Images, Tensor Coarse, Tensor Fine) ReadFile(string path)
    {
        var (images, labels, n) = CifarFormat.Read(path, [20, 100]);
        return (CifarFormat.ImagesTensor(images, n), torch.tensor(labels[0]), torch.tensor(labels[1]));
    }
}

internal static class CifarFormat
{
    internal const int ImageBytes = 3 * 32 * 32;

    internal static string Resolve(string root, string folderName, string probe)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (File.Exists(Path.Combine(root, probe))) return root;
        var nested = Path.Combine(root, folderName);
        if (File.Exists(Path.Combine(nested, probe))) return nested;
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"CIFAR folder not found: {root}");
        return root; // the missing file is named when it is opened
    }

    /// <summary>Reads records of <c>labelLimits.Length</c> label bytes + one image; checks each label below its limit.</summary>
    internal static (byte[] Images, long[][] Labels, int Count) Read(string path, int[] labelLimits)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CIFAR file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        var record = labelLimits.Length + ImageBytes;
        if (bytes.Length == 0) throw new InvalidDataException($"{path}: empty file");
        if (bytes.Length % record != 0)
            throw new InvalidDataException(
                $"{path}: {bytes.Length} bytes is not a whole number of {record}-byte records ({labelLimits.Length} label byte(s) + a 3x32x32 image): truncated, or not a {(labelLimits.Length == 1 ? "CIFAR-10" : "CIFAR-100")} file");
        var n = bytes.Length / record;
        var images = new byte[(long)n * ImageBytes];
        var labels = labelLimits.Select(_ => new long[n]).ToArray();
        for (var i = 0; i < n; i++)
        {
            var offset = (long)i * record;
            for (var k = 0; k < labelLimits.Length; k++)
            {
                var label = bytes[offset + k];
                if (label >= labelLimits[k])
                    throw new InvalidDataException(
                        $"{path}: record {i} has label {label}, outside [0, {labelLimits[k]}): not a {(labelLimits.Length == 1 ? "CIFAR-10" : "CIFAR-100")} file");
                labels[k][i] = label;
            }
            Buffer.BlockCopy(bytes, (int)(offset + labelLimits.Length), images, (int)((long)i * ImageBytes), ImageBytes);
        }
        return (images, labels, n);
    }

    internal static Tensor ImagesTensor(byte[] images, int n) => torch.tensor<byte>(images, [n, 3, 32, 32], ScalarType.Byte);

    internal static TensorDataset ToDataset(IReadOnlyList<(byte[] Images, long[][] Labels, int Count)> parts, int labelIndex,
        IReadOnlyList<string>? classes)
    {
        var n = parts.Sum(p => p.Count);
        var images = new byte[(long)n * ImageBytes];
        var labels = new long[n];
        var at = 0;
        foreach (var p in parts)
        {
            Buffer.BlockCopy(p.Images, 0, images, at * ImageBytes, p.Count * ImageBytes);
            Array.Copy(p.Labels[labelIndex], 0, labels, at, p.Count);
            at += p.Count;
        }
        return new TensorDataset(ImagesTensor(images, n), torch.tensor(labels), classes);
    }
}
