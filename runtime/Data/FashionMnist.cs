using ResNetGen.Torch;

namespace ResNetGen.Data;

/// <summary>
/// MNIST-layout datasets: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
/// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each plain or with <c>.gz</c>.
/// </summary>
public static class Mnist
{
    public static IReadOnlyList<string> Classes { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The training set (60,000) or the test set (10,000) in <paramref name="root"/>: uint8 <c>[N, 1, 28, 28]</c>, int64 labels.</summary>
    public static TensorDataset Load(string root, bool train) => Load(root, train, Classes);

    internal static TensorDataset Load(string root, bool train, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (File.Exists(root)) throw new InvalidDataException($"{root}: is a file; the data folder must be the folder that holds the IDX files");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data folder not found: {root}");
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(root, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(root, $"{prefix}-labels-idx1-ubyte");
        var images = Idx.ReadImages(imagesPath);
        Tensor? labels = null;
        try
        {
            labels = Idx.ReadLabels(labelsPath);
            if (labels.size(0) != images.size(0))
                throw new InvalidDataException($"{labelsPath}: {labels.size(0)} labels for the {images.size(0)} images of {imagesPath}");
            var max = labels.numel() == 0 ? 0 : labels.ToArray<long>().Max();
            if (max >= classes.Count) throw new InvalidDataException($"{labelsPath}: label {max} is outside the {classes.Count} classes");
            return new TensorDataset(images, labels, classes);
        }
        catch
        {
            images.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    /// <summary>The file with or without <c>.gz</c>.</summary>
    private static string Find(string root, string name)
    {
        var plain = Path.Combine(root, name);
        if (File.Exists(plain)) return plain;
        if (Directory.Exists(plain)) throw new InvalidDataException($"{plain}: is a folder, not an IDX file");
        var gz = plain + ".gz";
        if (File.Exists(gz)) return gz;
        throw new FileNotFoundException($"IDX file not found: {plain} (nor {gz})", plain);
    }
}

/// <summary>Fashion-MNIST (Zalando): 28×28 grey images of 10 kinds of clothing, MNIST's layout.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string DebianRoot = "/usr/share/datasets/fashion-mnist";

    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training set (60,000) or the test set (10,000): uint8 <c>[N, 1, 28, 28]</c>, int64 labels.</summary>
    public static TensorDataset Load(string? root = null, bool train = true) => Mnist.Load(root ?? DebianRoot, train, Classes);
}
