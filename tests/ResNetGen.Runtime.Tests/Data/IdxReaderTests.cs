using ResNetGen.Data;
using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Data;

public sealed class IdxReaderTests
{
    private static byte[] Pixels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i * 7 % 251)).ToArray();

    [Fact]
    public void Real_FashionMnist_has_60000_training_images_and_6000_of_each_class()
    {
        using var train = FashionMnist.Load(FashionMnist.DebianRoot, train: true);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, train.Images.shape);
        Assert.Equal(ScalarType.Byte, train.Images.dtype);
        Assert.Equal(new long[] { 60000 }, train.Labels.shape);
        Assert.Equal(ScalarType.Int64, train.Labels.dtype);
        Assert.Equal(Enumerable.Repeat(6000L, 10), train.LabelCounts());
        Assert.Equal(10, train.NumClasses);
        Assert.Equal("Ankle boot", train.Classes![9]);
        // Real images: dark background, bright clothes, the whole byte range used.
        using var max = train.Images.amax([0, 1, 2, 3]);
        Assert.Equal(255, max.item<int>());
        using var mean = train.Images.to(ScalarType.Float32).mean();
        Assert.InRange(mean.item<double>() / 255, 0.27, 0.30); // Fashion-MNIST's well-known mean, 0.286

        using var test = FashionMnist.Load(train: false);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
        Assert.Equal(Enumerable.Repeat(1000L, 10), test.LabelCounts());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Generated_files_read_back_plain_or_gzip_told_apart_by_content(bool gzip)
    {
        using var dir = new TempDir();
        var pixels = Pixels(5 * 3 * 4);
        var labelBytes = new byte[] { 3, 0, 9, 1, 1 };
        var images = TempDir.IdxBytes([5, 3, 4], pixels);
        var labels = TempDir.IdxBytes([5], labelBytes);
        // The names say nothing: detection goes by the magic bytes.
        var imagesPath = dir.Write("images.bin", gzip ? TempDir.Gzip(images) : images);
        var labelsPath = dir.Write("labels.bin", gzip ? TempDir.Gzip(labels) : labels);

        using var x = Idx.ReadImages(imagesPath);
        Assert.Equal(new long[] { 5, 1, 3, 4 }, x.shape);
        Assert.Equal(pixels, x.ToArray<byte>());
        using var y = Idx.ReadLabels(labelsPath);
        Assert.Equal(new long[] { 3, 0, 9, 1, 1 }, y.ToArray<long>());
        using var raw = Idx.Read(imagesPath);
        Assert.Equal(new long[] { 5, 3, 4 }, raw.shape);
    }

    [Fact]
    public void Mnist_layout_folder_loads_with_plain_and_gz_files_mixed()
    {
        using var dir = new TempDir();
        dir.Write("train-images-idx3-ubyte.gz", TempDir.Gzip(TempDir.IdxBytes([4, 2, 2], Pixels(16))));
        dir.Write("train-labels-idx1-ubyte", TempDir.IdxBytes([4], [0, 1, 2, 9]));
        using var ds = Mnist.Load(dir.Path, train: true);
        Assert.Equal(4, ds.Count);
        Assert.Equal(new long[] { 1, 2, 2 }, ds.ImageShape);
        Assert.Equal(new long[] { 0, 1, 2, 9 }, ds.Labels.ToArray<long>());

        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path, train: false));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void Missing_file_throws_FileNotFound_naming_it()
    {
        using var dir = new TempDir();
        var path = dir.File("nope-idx3-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_file_throws_InvalidData_naming_it(bool gzip)
    {
        using var dir = new TempDir();
        var full = TempDir.IdxBytes([10, 28, 28], Pixels(10 * 28 * 28));
        var cut = full[..(full.Length - 100)];
        var path = dir.Write("cut", gzip ? TempDir.Gzip(cut) : cut);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Gzip_stream_cut_in_half_throws_InvalidData_naming_the_file()
    {
        using var dir = new TempDir();
        var gz = TempDir.Gzip(TempDir.IdxBytes([10, 28, 28], Pixels(10 * 28 * 28)));
        var path = dir.Write("half.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Header_only_and_empty_files_are_truncated()
    {
        using var dir = new TempDir();
        var empty = dir.Write("empty", []);
        Assert.Contains(empty, Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(empty)).Message);
        var header = dir.Write("header", TempDir.IdxBytes([3, 2, 2], [])[..10]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(header));
        Assert.Contains(header, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Wrong_magic_throws_InvalidData_naming_the_file()
    {
        using var dir = new TempDir();
        var png = dir.Write("image.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(png));
        Assert.Contains(png, e.Message);
        Assert.Contains("not an IDX file", e.Message);

        // A label file where images are expected: right format, wrong kind.
        var labels = dir.Write("labels", TempDir.IdxBytes([4], [1, 2, 3, 4]));
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("expected 3", e.Message);

        // An int32 IDX file (type 0x0C): not what images or labels hold.
        var ints = TempDir.IdxBytes([1], [0, 0, 0, 1]);
        ints[2] = 0x0C;
        var intsPath = dir.Write("ints", ints);
        e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(intsPath));
        Assert.Contains(intsPath, e.Message);
    }

    [Fact]
    public void Trailing_data_after_what_the_header_announces_is_an_error()
    {
        using var dir = new TempDir();
        var bytes = TempDir.IdxBytes([2], [1, 2]).Concat(new byte[] { 7 }).ToArray();
        var path = dir.Write("long", bytes);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }
}
