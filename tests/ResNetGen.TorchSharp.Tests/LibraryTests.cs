using TorchSharp;

namespace ResNetGen.TorchSharp.Tests;

/// <summary>ResNetGen.TorchSharp's fixed modules against hand-computed cases.</summary>
public sealed class SqueezeExciteTests
{
    [Fact]
    public void Registers_fc1_and_fc2_with_bias_as_timm()
    {
        using var se = Layers.SqueezeExcite(64, 4);
        var signature = StateDicts.Signature(se);
        Assert.Equal(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"], signature.Keys);
        Assert.Equal([4L, 64, 1, 1], signature["fc1.weight"]);
        Assert.Equal([4L], signature["fc1.bias"]);
        Assert.Equal([64L, 4, 1, 1], signature["fc2.weight"]);
        Assert.Equal([64L], signature["fc2.bias"]);
        Assert.Equal(64 * 4 + 4 + 4 * 64 + 64, StateDicts.ParameterCount(se));
        Assert.Equal(["fc1", "fc2"], se.named_children().Select(c => c.name));
    }

    [Fact]
    public void Gates_each_channel_by_sigmoid_of_the_squeezed_mean()
    {
        // 2 channels, squeeze 1: h = relu(w1 · mean + b1), gate_c = sigmoid(w2_c h + b2_c).
        using var se = Layers.SqueezeExcite(2, 1);
        float[] w1 = [0.5f, -0.25f], w2 = [2f, -1f];
        const float b1 = 0.1f;
        float[] b2 = [0.3f, 0.2f];
        using (no_grad())
        {
            se.state_dict()["fc1.weight"].copy_(tensor(w1).reshape(1, 2, 1, 1));
            se.state_dict()["fc1.bias"].copy_(tensor(new[] { b1 }));
            se.state_dict()["fc2.weight"].copy_(tensor(w2).reshape(2, 1, 1, 1));
            se.state_dict()["fc2.bias"].copy_(tensor(b2));
        }
        float[] x = [1, 2, 3, 4, /* channel 1 */ -1, 0, 5, 8];
        using var input = tensor(x).reshape(1, 2, 2, 2);
        using var output = se.call(input);

        double mean0 = (1 + 2 + 3 + 4) / 4.0, mean1 = (-1 + 0 + 5 + 8) / 4.0;
        var h = Math.Max(0, w1[0] * mean0 + w1[1] * mean1 + b1);
        double[] gate = [1 / (1 + Math.Exp(-(w2[0] * h + b2[0]))), 1 / (1 + Math.Exp(-(w2[1] * h + b2[1])))];
        var expected = x.Select((v, i) => v * gate[i / 4]).ToArray();
        var actual = output.data<float>().ToArray();
        Assert.Equal([1L, 2, 2, 2], output.shape);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void Gradients_reach_both_convolutions_and_the_input()
    {
        manual_seed(2);
        using var se = Layers.SqueezeExcite(8, 2);
        // A positive fc1 bias keeps the ReLU open, so every parameter has a gradient to show.
        using (no_grad()) se.state_dict()["fc1.bias"].fill_(1);
        using var x = randn(3, 8, 5, 5).requires_grad_();
        using var y = se.call(x);
        using var loss = y.square().sum();
        loss.backward();
        Assert.All(se.parameters(), p => Assert.True(p.grad is { } g && g.abs().sum().item<float>() > 0));
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Rejects_empty_widths() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Layers.SqueezeExcite(16, 0));
}

public sealed class DropPathTests
{
    [Fact]
    public void Is_the_identity_in_eval_mode_and_when_p_is_zero()
    {
        using var x = randn(4, 3, 2, 2);
        using var drop = Layers.DropPath(0.5);
        drop.eval();
        Assert.True(drop.call(x).Equals(x));
        using var none = Layers.DropPath(0);
        none.train();
        Assert.True(none.call(x).Equals(x));
        Assert.True(Functional.drop_path(x, 0.9, training: false).Equals(x));
    }

    [Fact]
    public void Drops_whole_samples_and_rescales_the_kept_ones()
    {
        manual_seed(1);
        const int n = 4000;
        const double p = 0.3;
        using var drop = Layers.DropPath(p);
        drop.train();
        using var x = ones(n, 3, 2, 2);
        using var y = drop.call(x);
        var perSample = y.reshape(n, -1);
        // Every element of a sample shares one draw: all 0 or all 1/(1-p).
        using var min = perSample.amin([1L]);
        using var max = perSample.amax([1L]);
        Assert.True(min.Equals(max), "a sample was partly dropped");
        var values = max.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0 || Math.Abs(v - 1 / (1 - p)) < 1e-6, $"unexpected value {v}"));
        var kept = values.Count(v => v != 0) / (double)n;
        Assert.InRange(kept, 1 - p - 0.03, 1 - p + 0.03);       // 4σ ≈ 0.029 for n = 4000
        Assert.InRange(y.mean().item<float>(), 0.95, 1.05);     // the expectation is kept
    }

    [Fact]
    public void Drops_everything_when_p_is_one()
    {
        using var x = randn(16, 4);
        using var y = Functional.drop_path(x, 1, training: true);
        Assert.Equal(0, y.abs().sum().item<float>());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Rejects_probabilities_outside_0_1(double p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Layers.DropPath(p));
        using var x = ones(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.drop_path(x, p, training: true));
    }

    [Fact]
    public void Has_no_state() => Assert.Empty(Layers.DropPath(0.2).state_dict());
}

public sealed class ZeroPadShortcutTests
{
    [Fact]
    public void Subsamples_every_stride_th_pixel_and_centres_the_input_channels()
    {
        // [1, 2, 4, 4] with values 0..31; stride 2, 6 channels: 2 zero channels before, 2 after.
        using var x = arange(32, ScalarType.Float32).reshape(1, 2, 4, 4);
        using var y = Functional.zero_pad_shortcut(x, 2, 6);
        Assert.Equal([1L, 6, 2, 2], y.shape);
        var v = y.data<float>().ToArray();
        float[] expected =
        [
            0, 0, 0, 0,
            0, 0, 0, 0,
            0, 2, 8, 10,        // channel 0 at rows/cols 0 and 2
            16, 18, 24, 26,     // channel 1
            0, 0, 0, 0,
            0, 0, 0, 0,
        ];
        Assert.Equal(expected, v);
    }

    [Fact]
    public void Puts_the_odd_zero_channel_after_the_input()
    {
        // 1 → 4 channels: pad 3 = 1 before, 2 after (akamaster's planes // 4 on both sides for even pads).
        using var x = ones(1, 1, 3, 3);
        using var y = Functional.zero_pad_shortcut(x, 2, 4);
        Assert.Equal([1L, 4, 2, 2], y.shape);
        using var perChannel = y.sum([0L, 2L, 3L]);
        Assert.Equal([0f, 4f, 0f, 0f], perChannel.data<float>().ToArray());
    }

    [Fact]
    public void Pads_without_subsampling_at_stride_one()
    {
        using var x = randn(2, 3, 5, 5);
        using var y = Functional.zero_pad_shortcut(x, 1, 5);
        Assert.Equal([2L, 5, 5, 5], y.shape);
        Assert.True(y.narrow(1, 1, 3).Equals(x));
        Assert.Equal(0, y.narrow(1, 0, 1).abs().sum().item<float>());
        Assert.Equal(0, y.narrow(1, 4, 1).abs().sum().item<float>());
    }

    [Fact]
    public void Passes_gradients_to_the_kept_pixels_only()
    {
        using var x = ones(1, 2, 4, 4).requires_grad_();
        using var y = Functional.zero_pad_shortcut(x, 2, 4);
        y.sum().backward();
        using var expected = zeros(1, 2, 4, 4);
        expected.index_put_(ones(1), TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2));
        Assert.True(x.grad!.Equals(expected));
    }

    [Fact]
    public void Rejects_fewer_output_channels() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.zero_pad_shortcut(ones(1, 4, 2, 2), 1, 2));
}
