using ResNetGen.Torch;
using Xunit;

namespace ResNetGen.Runtime.Tests.Core;

[Collection(GlobalGeneratorCollection.Name)]
public class TensorTests
{
    [Fact]
    public void Data_round_trips_through_every_supported_dtype()
    {
        using var f32 = torch.tensor(new[] { 1.5f, -2f, 3.25f, 0f }, [2, 2]);
        Assert.Equal(new[] { 1.5f, -2f, 3.25f, 0f }, f32.ToArray<float>());
        Assert.Equal(new long[] { 2, 2 }, f32.shape);

        using var f64 = torch.tensor(new[] { Math.PI, -1e300 });
        Assert.Equal(new[] { Math.PI, -1e300 }, f64.ToArray<double>());

        using var i64 = torch.tensor(new long[] { long.MaxValue, -7 });
        Assert.Equal(new long[] { long.MaxValue, -7 }, i64.ToArray<long>());

        using var u8 = torch.tensor(new byte[] { 0, 255, 17 });
        Assert.Equal(new byte[] { 0, 255, 17 }, u8.ToArray<byte>());

        using var b = torch.tensor(new[] { true, false, true });
        Assert.Equal(new[] { true, false, true }, b.ToArray<bool>());

        using var f16 = f32.to(ScalarType.Float16);
        Assert.Equal(ScalarType.Float16, f16.dtype);
        Assert.Equal(new[] { (Half)1.5f, (Half)(-2f), (Half)3.25f, (Half)0f }, f16.ToArray<Half>());

        using var bf16 = f32.to(ScalarType.BFloat16);
        using var back = bf16.to(ScalarType.Float32);
        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        Assert.Equal(new[] { 1.5f, -2f, 3.25f, 0f }, back.ToArray<float>()); // exactly representable in bf16
    }

    [Fact]
    public void ToString_shows_shape_dtype_and_device()
    {
        using var t = torch.zeros([2, 3], ScalarType.Float64);
        Assert.Equal("Tensor(shape=[2, 3], dtype=float64, device=cpu)", t.ToString());
        t.requires_grad = true;
        Assert.Contains("requires_grad=True", t.ToString());
    }

    [Fact]
    public void Channels_last_changes_strides_not_values()
    {
        using var x = torch.arange(0, 2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        using var cl = x.contiguous(MemoryFormat.ChannelsLast);
        Assert.True(cl.is_contiguous(MemoryFormat.ChannelsLast));
        Assert.False(cl.is_contiguous());
        Assert.Equal(new long[] { 60, 1, 15, 3 }, cl.stride());
        Assert.Equal(x.ToArray<float>(), cl.ToArray<float>());
    }

    [Fact]
    public void Autograd_computes_the_gradient_of_a_simple_expression()
    {
        using var x = torch.tensor(new[] { 1f, 2f, 3f }, requires_grad: true);
        using var y = (x * x * 3.0).sum();
        y.backward();
        using var g = x.grad!;
        Assert.Equal(new[] { 6f, 12f, 18f }, g.ToArray<float>());
    }

    [Fact]
    public void No_grad_scope_stops_recording_and_restores_the_mode()
    {
        using var x = torch.ones([2], requires_grad: true);
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            using var y = x * 2.0;
            Assert.False(y.requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void Dispose_scope_frees_what_it_collected_and_keeps_what_moved_out()
    {
        Tensor kept, dropped;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                dropped = torch.ones([3]);
                kept = dropped + 1.0;
                Assert.Equal(2, inner.Count);
                kept.MoveToOuterDisposeScope();
                Assert.Equal(1, inner.Count);
                Assert.Equal(1, outer.Count);
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(new[] { 2f, 2f, 2f }, kept.ToArray<float>());
        }
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void Seeding_makes_random_tensors_repeat()
    {
        torch.manual_seed(123);
        using var a = torch.randn([5]);
        torch.manual_seed(123);
        using var b = torch.randn([5]);
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
    }

    [Fact]
    public void Engine_queries_answer()
    {
        Assert.Matches(@"^\d+\.\d+", torch.version);
        Assert.True(torch.get_num_threads() >= 1);
        Assert.Equal(torch.cuda.is_available(), torch.cuda.device_count() > 0);
        var before = torch.backends.cudnn.benchmark;
        torch.backends.cudnn.benchmark = !before;
        Assert.Equal(!before, torch.backends.cudnn.benchmark);
        torch.backends.cudnn.benchmark = before;
    }
}

[Collection(GlobalGeneratorCollection.Name)]
public class RandomStateTests
{
    [Fact]
    public void Restoring_the_generator_state_repeats_the_random_numbers()
    {
        torch.manual_seed(9);
        using var _ = torch.randn([3]);
        using var state = torch.get_rng_state();
        Assert.Equal(ScalarType.Byte, state.dtype);
        using var a = torch.randn([5]);
        using var b = torch.randn([5]);
        Assert.NotEqual(a.ToArray<float>(), b.ToArray<float>());
        torch.set_rng_state(state);
        using var again = torch.randn([5]);
        Assert.Equal(a.ToArray<float>(), again.ToArray<float>());
        Assert.Throws<TorchException>(() => torch.set_rng_state(torch.zeros([3])));
    }
}
