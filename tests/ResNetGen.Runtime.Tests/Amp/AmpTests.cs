using ResNetGen.Runtime.Tests.Oracle;
using ResNetGen.Torch;
using ResNetGen.Torch.Amp;
using ResNetGen.Torch.Modules;
using Xunit;
using F = ResNetGen.Torch.torch.nn.functional;

namespace ResNetGen.Runtime.Tests.Amp;

public class AmpTests
{
    [Fact]
    public void Cpu_autocast_runs_convolutions_in_bfloat16_like_pytorch()
    {
        torch.manual_seed(3);
        using var x = torch.randn([2, 3, 8, 8]);
        using var w = torch.randn([4, 3, 3, 3]);
        Tensor ours;
        using (torch.autocast(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(torch.is_autocast_enabled(DeviceType.CPU));
            ours = F.conv2d(x, w, null, padding: 1);
        }
        Assert.False(torch.is_autocast_enabled(DeviceType.CPU));
        Assert.Equal(ScalarType.BFloat16, ours.dtype);

        var expected = PythonOracle.Shared.Run("""
            with torch.autocast("cpu", dtype=torch.bfloat16):
                y = F.conv2d(x, w, None, padding=1)
            outputs["y"] = y
            """, [new("x", x), new("w", w)]);
        OracleAssert.Equal(expected["y"], ours);
        ours.Dispose();
    }

    [Fact]
    public void Grad_scaler_unscales_steps_and_grows_the_scale()
    {
        using var lin = new Linear(3, 1);
        using var opt = torch.optim.SGD(lin.parameters(), lr: 0.1);
        var scaler = new GradScaler(init_scale: 8, growth_interval: 2);
        using var before = lin.weight.detach().clone();

        using (var loss = lin.forward(torch.ones([2, 3])).sum())
        using (var scaled = scaler.scale_loss(loss))
            scaled.backward();
        using (var g = lin.weight.grad!) Assert.Equal(new[] { 16f, 16f, 16f }, g.ToArray<float>()); // 2 rows × 8
        Assert.True(scaler.step(opt));
        using (var g = lin.weight.grad!) Assert.Equal(new[] { 2f, 2f, 2f }, g.ToArray<float>()); // unscaled
        using (var moved = before - lin.weight)
            Assert.All(moved.ToArray<float>(), d => Assert.Equal(0.2f, d, 5)); // lr × unscaled grad
        scaler.update();
        Assert.Equal(8, scaler.get_scale());
        opt.zero_grad();
        using (var loss = lin.forward(torch.ones([2, 3])).sum())
        using (var scaled = scaler.scale_loss(loss))
            scaled.backward();
        scaler.step(opt);
        scaler.update();
        Assert.Equal(16, scaler.get_scale()); // two clean steps → growth
    }

    [Fact]
    public void Grad_scaler_skips_a_step_with_inf_gradients_and_backs_off()
    {
        using var lin = new Linear(2, 1);
        using var opt = torch.optim.SGD(lin.parameters(), lr: 0.1);
        var scaler = new GradScaler(init_scale: 1024);
        using var before = lin.weight.detach().clone();
        using (var x = torch.tensor(new[] { float.PositiveInfinity, 1f }, [1, 2]))
        using (var loss = lin.forward(x).sum())
        using (var scaled = scaler.scale_loss(loss))
            scaled.backward();
        Assert.False(scaler.step(opt));
        scaler.update();
        Assert.Equal(512, scaler.get_scale());
        Assert.Equal(1, scaler.skipped_steps);
        Assert.Equal(before.ToArray<float>(), lin.weight.ToArray<float>());
    }
}
