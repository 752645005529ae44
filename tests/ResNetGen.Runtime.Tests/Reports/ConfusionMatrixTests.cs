using ResNetGen.Torch;
using ResNetGen.Reports;
using ResNetGen.Reports.Metrics;
using ResNetGen.Training;
using Xunit;

namespace ResNetGen.Runtime.Tests.Reports;

public class ConfusionMatrixTests
{
    // actual:    0 0 0 1 1 2 2 2 2
    // predicted: 0 1 0 1 1 2 0 2 1
    // rows (actual) x columns (predicted):
    //   [2 1 0]
    //   [0 2 0]
    //   [1 1 2]
    private static readonly long[] Actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
    private static readonly long[] Predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1];

    private static ConfusionMatrix Example()
    {
        var m = new ConfusionMatrix(3);
        m.Add(Predicted, Actual);
        return m;
    }

    [Fact]
    public void Counts_land_in_actual_rows_and_predicted_columns()
    {
        var m = Example();
        Assert.Equal(new long[][] { [2, 1, 0], [0, 2, 0], [1, 1, 2] }, m.ToRows());
        Assert.Equal(9, m.Total);
        Assert.Equal(6, m.Correct);
        Assert.Equal(6.0 / 9, m.Accuracy, 12);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(0, m[1, 0]);
    }

    [Fact]
    public void Precision_recall_and_f1_match_hand_computed_values()
    {
        var m = Example();
        // precision = diagonal / column sum; recall = diagonal / row sum
        Assert.Equal(2.0 / 3, m.Precision(0), 12); // 2 / (2+0+1)
        Assert.Equal(2.0 / 4, m.Precision(1), 12); // 2 / (1+2+1)
        Assert.Equal(2.0 / 2, m.Precision(2), 12); // 2 / (0+0+2)
        Assert.Equal(2.0 / 3, m.Recall(0), 12);
        Assert.Equal(2.0 / 2, m.Recall(1), 12);
        Assert.Equal(2.0 / 4, m.Recall(2), 12);
        Assert.Equal(2.0 / 3, m.F1(0), 12);
        Assert.Equal(2 * 0.5 * 1.0 / 1.5, m.F1(1), 12);
        Assert.Equal(2 * 1.0 * 0.5 / 1.5, m.F1(2), 12);
        Assert.Equal((2.0 / 3 + 1 + 0.5) / 3, m.MacroRecall, 12);
        Assert.Equal((2.0 / 3 + 0.5 + 1) / 3, m.MacroPrecision, 12);
        Assert.Equal(new long[] { 3, 2, 4 }, Enumerable.Range(0, 3).Select(m.Support).ToArray());
        Assert.Equal(new long[] { 3, 4, 2 }, Enumerable.Range(0, 3).Select(m.PredictedCount).ToArray());
    }

    [Fact]
    public void A_class_never_seen_nor_predicted_has_undefined_precision_and_recall()
    {
        var m = new ConfusionMatrix(3);
        m.Add(0, 0);
        m.Add(1, 0);
        Assert.True(double.IsNaN(m.Precision(2)));
        Assert.True(double.IsNaN(m.Recall(2)));
        Assert.True(double.IsNaN(m.F1(2)));
        Assert.True(double.IsNaN(m.Recall(1)));    // class 1 never occurs
        Assert.Equal(0.0, m.Precision(1));          // ...but was predicted once, wrongly
        Assert.Equal(0.5, m.MacroPrecision, 12); // mean over the defined classes: (1 + 0) / 2
        Assert.True(double.IsNaN(new ConfusionMatrix(2).Accuracy));
    }

    [Fact]
    public void A_bad_batch_throws_and_leaves_the_matrix_unchanged()
    {
        var m = Example();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(new long[] { 0, 3 }, new long[] { 0, 1 }));
        Assert.Contains("[0, 3)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(new long[] { 0, 1 }, new long[] { -1, 1 }));
        Assert.Throws<ArgumentException>(() => m.Add(new long[] { 0, 1 }, new long[] { 0 }));
        Assert.Equal(9, m.Total);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromCounts([[1, 2], [3]]));
    }

    [Fact]
    public void Tensors_and_logits_add_like_arrays()
    {
        var m = new ConfusionMatrix(3);
        using (var p = torch.tensor(Predicted))
        using (var a = torch.tensor(Actual))
            m.Add(p, a);
        Assert.Equal(Example().ToRows(), m.ToRows());

        // Logits whose arg-max is Predicted, labels as int32 (converted).
        var logits = new float[Predicted.Length * 3];
        for (var i = 0; i < Predicted.Length; i++)
            for (var c = 0; c < 3; c++) logits[i * 3 + c] = c == Predicted[i] ? 2f : -(float)c;
        var fromLogits = new ConfusionMatrix(3);
        using (var l = torch.tensor(logits, [Predicted.Length, 3]))
        using (var a = torch.tensor(Actual.Select(x => (int)x).ToArray()))
            fromLogits.AddLogits(l, a);
        Assert.Equal(Example().ToRows(), fromLogits.ToRows());

        var merged = Example();
        merged.Add(fromLogits);
        Assert.Equal(18, merged.Total);
        merged.Clear();
        Assert.Equal(0, merged.Total);
    }
}
