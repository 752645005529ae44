using ResNetGen.Torch;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Xunit;

namespace ResNetGen.Runtime.Tests.Reports;

public class AccuracyTests
{
    // 4 samples, 6 classes. Rank of the label among the logits (0 = highest):
    //   row 0: label 2, logits put it first        -> rank 0
    //   row 1: label 0, second highest             -> rank 1
    //   row 2: label 5, sixth (the lowest)         -> rank 5
    //   row 3: label 1, fifth                      -> rank 4
    private static readonly float[] Logits =
    [
        0.1f, 0.2f, 3.0f, 0.0f, -1f, 0.5f,
        2.0f, 3.0f, 1.0f, 0.0f, -1f, -2f,
        0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f,
        5.0f, 1.0f, 4.0f, 3.0f, 2.0f, 0.0f,
    ];
    private static readonly long[] Labels = [2, 0, 5, 1];

    [Fact]
    public void Top_k_counts_from_tensors_match_the_ranks()
    {
        using var logits = torch.tensor(Logits, [4, 6]);
        using var labels = torch.tensor(Labels);
        Assert.Equal(new long[] { 1, 2, 2, 2, 3, 4 }, TensorMetrics.TopKCorrect(logits, labels, 1, 2, 3, 4, 5, 6));
        Assert.Equal((1L, 3L), TensorMetrics.Top1Top5(logits, labels));
        Assert.Equal(2, TensorMetrics.TopKCorrect(logits, labels, 2));
        Assert.Equal(4, TensorMetrics.TopKCorrect(logits, labels, 100)); // k beyond the classes: every sample hits
    }

    [Fact]
    public void Top_k_counts_from_arrays_match_the_tensor_path()
    {
        Assert.Equal(new long[] { 1, 2, 2, 2, 3, 4 }, Accuracy.TopKCorrect(Logits, 6, Labels, 1, 2, 3, 4, 5, 6));

        var rng = new Random(3);
        const int n = 257, k = 10;
        var logits = Enumerable.Range(0, n * k).Select(_ => (float)rng.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => (long)rng.Next(k)).ToArray();
        using var tl = torch.tensor(logits, [n, k]);
        using var tlab = torch.tensor(labels);
        Assert.Equal(TensorMetrics.TopKCorrect(tl, tlab, 1, 3, 5), Accuracy.TopKCorrect(logits, k, labels, 1, 3, 5));

        using var argmax = tl.argmax(1);
        Assert.Equal(argmax.ToArray<long>(), Accuracy.ArgMax(logits, k));
    }

    [Fact]
    public void Ties_rank_the_lower_class_first_in_the_array_path()
    {
        float[] tied = [1f, 1f, 1f];
        Assert.Equal(new long[] { 1 }, Accuracy.TopKCorrect(tied, 3, [0], 1));
        Assert.Equal(new long[] { 0, 1 }, Accuracy.TopKCorrect(tied, 3, [2], 2, 3));
        Assert.Equal(new long[] { 0 }, Accuracy.ArgMax(tied, 3));
    }

    [Fact]
    public void Bad_shapes_and_labels_are_rejected_with_a_message()
    {
        using var logits = torch.zeros([4, 6]);
        using var labels3 = torch.tensor(new long[] { 0, 1, 2 });
        Assert.Contains("labels must be [4]", Assert.Throws<ArgumentException>(() => TensorMetrics.TopKCorrect(logits, labels3, 1)).Message);
        using var flat = torch.zeros([24]);
        using var labels4 = torch.tensor(Labels);
        Assert.Contains("[N, K]", Assert.Throws<ArgumentException>(() => TensorMetrics.TopKCorrect(flat, labels4, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorMetrics.TopKCorrect(logits, labels4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Accuracy.TopKCorrect(Logits, 6, [0, 1, 2, 6], 1));
        Assert.Throws<ArgumentException>(() => Accuracy.TopKCorrect(Logits, 5, Labels, 1));
    }
}
