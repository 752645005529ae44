using ResNetGen.Data;

namespace ResNetGen.Cli;

/// <summary>The datasets the CLI knows, with their normalisation and augmentation.</summary>
internal sealed record DatasetSpec(string Name, int Channels, int Size, double[] Mean, double[] Std,
    Func<string?, bool, TensorDataset> Load, IReadOnlyList<string> Classes)
{
    public static readonly DatasetSpec[] All =
    [
        new("fashion-mnist", 1, 28, [0.2860], [0.3530], (root, train) => FashionMnist.Load(root, train), FashionMnist.Classes),
        new("mnist", 1, 28, [0.1307], [0.3081],
            (root, train) => Mnist.Load(root ?? throw new ArgumentException("--data is required for mnist (a folder with the IDX files)"), train),
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        new("cifar10", 3, 32, [0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616],
            (root, train) => Cifar10.Load(root ?? throw new ArgumentException("--data is required for cifar10 (the cifar-10-batches-bin folder)"), train),
            Cifar10.Classes),
    ];

    public static DatasetSpec Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}");

    /// <summary>
    /// Random crop with padding and horizontal flip, then normalisation (the standard CIFAR recipe),
    /// for images of <paramref name="imageShape"/> [C, H, W] (the files' own size, which may differ from <see cref="Size"/>).
    /// </summary>
    public IBatchTransform TrainTransform(bool augment, long[] imageShape)
    {
        var (h, w) = ((int)imageShape[1], (int)imageShape[2]);
        return augment
            ? new Compose(new RandomCrop(h, w, padding: Math.Min(h, w) / 8), new RandomHorizontalFlip(), new Normalize(Mean, Std))
            : new Normalize(Mean, Std);
    }

    public IBatchTransform TestTransform() => new Normalize(Mean, Std);
}
