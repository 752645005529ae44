using ResNetGen.Data;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Data;

public sealed class CifarReaderTests
{
    private const int ImageBytes = 3072;

    /// <summary>A record's image: red plane = r, green = g, blue = 255 - pixel index % 256.</summary>
    private static byte[] Record(byte[] labels, byte r, byte g)
    {
        var rec = new byte[labels.Length + ImageBytes];
        labels.CopyTo(rec, 0);
        for (var i = 0; i < 1024; i++)
        {
            rec[labels.Length + i] = r;
            rec[labels.Length + 1024 + i] = g;
            rec[labels.Length + 2048 + i] = (byte)(255 - i % 256);
        }
        return rec;
    }

    private static byte[] File10(params (byte Label, byte R)[] records) =>
        records.SelectMany(x => Record([x.Label], x.R, 100)).ToArray();

    [Fact]
    public void Cifar10_folder_loads_five_training_batches_in_order_and_the_test_batch()
    {
        using var root = new TempDir();
        var dir = Path.Combine(root.Path, Cifar10.FolderName);
        Directory.CreateDirectory(dir);
        for (var b = 1; b <= 5; b++)
            File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), File10(((byte)b, (byte)(10 * b)), ((byte)(b - 1), (byte)(10 * b + 1))));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), File10((9, 200)));

        using var train = Cifar10.Load(root.Path, train: true); // the parent folder works
        Assert.Equal(new long[] { 10, 3, 32, 32 }, train.Images.shape);
        Assert.Equal(ScalarType.Byte, train.Images.dtype);
        Assert.Equal(new long[] { 1, 0, 2, 1, 3, 2, 4, 3, 5, 4 }, train.Labels.ToArray<long>());
        Assert.Equal("truck", train.Classes![9]);
        var pixels = train.Images.ToArray<byte>();
        // Sample 2 = batch 2's first record: red plane 20, green 100, blue 255 - i % 256 (planar RGB, row-major).
        Assert.Equal(20, pixels[2 * ImageBytes + 0]);
        Assert.Equal(20, pixels[2 * ImageBytes + 1023]);
        Assert.Equal(100, pixels[2 * ImageBytes + 1024]);
        Assert.Equal(255, pixels[2 * ImageBytes + 2048]);
        Assert.Equal(255 - 33, pixels[2 * ImageBytes + 2048 + 33]); // blue at row 1, column 1
        Assert.Equal(21, pixels[3 * ImageBytes]);

        using var test = Cifar10.Load(dir, train: false); // so does the folder itself
        Assert.Equal(new long[] { 1, 3, 32, 32 }, test.Images.shape);
        Assert.Equal(new long[] { 9 }, test.Labels.ToArray<long>());
    }

    [Fact]
    public void Cifar100_reads_coarse_and_fine_labels_and_class_names()
    {
        using var dir = new TempDir();
        var train = Record([3, 42], 1, 2).Concat(Record([19, 99], 3, 4)).Concat(Record([0, 0], 5, 6)).ToArray();
        dir.Write("train.bin", train);
        dir.Write("test.bin", Record([7, 77], 8, 9));
        File.WriteAllLines(dir.File("coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"coarse{i}"));

        var (images, coarse, fine) = Cifar100.ReadFile(dir.File("train.bin"));
        using (images)
        using (coarse)
        using (fine)
        {
            Assert.Equal(new long[] { 3, 3, 32, 32 }, images.shape);
            Assert.Equal(new long[] { 3, 19, 0 }, coarse.ToArray<long>());
            Assert.Equal(new long[] { 42, 99, 0 }, fine.ToArray<long>());
            Assert.Equal(3, images.ToArray<byte>()[ImageBytes]);
        }

        using var fineSet = Cifar100.Load(dir.Path, train: true);
        Assert.Equal(new long[] { 42, 99, 0 }, fineSet.Labels.ToArray<long>());
        Assert.Null(fineSet.Classes); // no fine_label_names.txt
        using var coarseSet = Cifar100.Load(dir.Path, train: false, CifarLabel.Coarse);
        Assert.Equal(new long[] { 7 }, coarseSet.Labels.ToArray<long>());
        Assert.Equal("coarse7", coarseSet.Classes![7]);
    }

    [Fact]
    public void Missing_truncated_and_wrong_files_give_errors_naming_the_file()
    {
        using var dir = new TempDir();
        var missing = dir.File("data_batch_1.bin");
        var e1 = Assert.Throws<FileNotFoundException>(() => Cifar10.ReadFile(missing));
        Assert.Contains(missing, e1.Message);
        Assert.Throws<FileNotFoundException>(() => Cifar10.Load(dir.Path, train: true));

        var cut = dir.Write("cut.bin", File10((1, 1), (2, 2))[..(2 * (ImageBytes + 1) - 5)]);
        var e2 = Assert.Throws<InvalidDataException>(() => Cifar10.ReadFile(cut));
        Assert.Contains(cut, e2.Message);
        Assert.Contains("truncated", e2.Message);

        var empty = dir.Write("empty.bin", []);
        Assert.Contains(empty, Assert.Throws<InvalidDataException>(() => Cifar10.ReadFile(empty)).Message);

        // A CIFAR-100 record read as CIFAR-10: the size does not divide, or a label is out of range.
        var hundred = dir.Write("hundred.bin", Record([5, 50], 0, 0));
        Assert.Contains(hundred, Assert.Throws<InvalidDataException>(() => Cifar10.ReadFile(hundred)).Message);
        var badLabel = dir.Write("badlabel.bin", File10((10, 0)));
        var e3 = Assert.Throws<InvalidDataException>(() => Cifar10.ReadFile(badLabel));
        Assert.Contains(badLabel, e3.Message);
        Assert.Contains("label 10", e3.Message);
    }
}
