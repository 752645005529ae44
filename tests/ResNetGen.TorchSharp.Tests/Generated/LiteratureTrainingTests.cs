using System.IO.Compression;
using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>
/// An epoch (512 images, batch 32) of Fashion-MNIST on TorchSharp for classifiers of
/// samples/ResNetGen.Zoo/Literature.cs (the reduced instances WRN-10-2, PreAct-ResNet-20 and the 28×28
/// Spec-ResNet stand for WRN-28-10, PreAct-ResNet-110 and Spec-ResNet): the loss falls.
/// </summary>
[Xunit.Collection(nameof(LiteratureTrainingTests))]
public sealed class LiteratureTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Root = "/usr/share/datasets/fashion-mnist";
    private const int Images = 512;

    // The Keras study card (1 m 40 s) and ResNet56 v2 (3 min) train on ResNetGen.Torch only
    // (tests/ResNetGen.Generator.Tests/LiteratureTests.cs): TorchSharp's CPU epoch is several times slower here.
    public static TheoryData<string> Trainable => ["KerasResNet20V1", "WideResNet10x2", "PreActResNet20", "SpecResNetSmall"];

    private static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "KerasStudyCardResNet" => new Zoo.KerasStudyCardResNet(),
        "KerasResNet20V1" => new Zoo.KerasResNet20V1(),
        "KerasResNet56V2" => new Zoo.KerasResNet56V2(),
        "WideResNet10x2" => new Zoo.WideResNet10x2(),
        "PreActResNet20" => new Zoo.PreActResNet20(),
        _ => new Zoo.SpecResNetSmall(),
    };

    /// <summary>The first <paramref name="count"/> items of a gzipped IDX file, after its header.</summary>
    private static byte[] ReadIdx(string file, int header, int count)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(Root, file)), CompressionMode.Decompress);
        var bytes = new byte[header + count];
        stream.ReadExactly(bytes);
        return bytes[header..];
    }

    [Theory]
    [MemberData(nameof(Trainable))]
    public void One_epoch_on_a_fashion_mnist_slice_lowers_the_loss(string name)
    {
        var pixels = ReadIdx("train-images-idx3-ubyte.gz", 16, Images * 28 * 28);
        var labels = ReadIdx("train-labels-idx1-ubyte.gz", 8, Images).Select(b => (long)b).ToArray();
        manual_seed(0);
        using var model = Create(name);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 0);
        var losses = new List<double>();
        for (var start = 0; start < Images; start += 32)
        {
            using var scope = NewDisposeScope();
            var x = tensor(pixels[(start * 784)..((start + 32) * 784)], [32, 1, 28, 28]).to_type(ScalarType.Float32) / 255.0;
            if (name != "SpecResNetSmall")
            {
                x = nn.functional.pad(x, [2, 2, 2, 2]).repeat(1, 3, 1, 1); // CIFAR-shaped: 3 × 32 × 32
            }
            var loss = nn.functional.cross_entropy(model.call(x), tensor(labels[start..(start + 32)]));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        var first = losses.Take(3).Average();
        var last = losses.TakeLast(3).Average();
        output.WriteLine($"{name}: {string.Join(", ", losses.Select(l => l.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(last < first, $"{name}: loss {first:F3} over the first three batches, {last:F3} over the last three");
    }
}

/// <summary>
/// Not parallel: each epoch starts from manual_seed(0) on TorchSharp's process-wide generator; another class
/// drawing from it meanwhile would change the starting weights and so the losses asserted.
/// </summary>
[Xunit.CollectionDefinition(nameof(LiteratureTrainingTests), DisableParallelization = true)]
public sealed class LiteratureTrainingCollection;
