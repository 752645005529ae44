using TorchSharp;
using Zoo = ResNetGen.Zoo;

namespace ResNetGen.TorchSharp.Tests.Generated;

/// <summary>The zoo's image-output networks (Literature.Image.cs) compiled for TorchSharp: counts, the upscaled output, forward/backward.</summary>
public sealed class ImageNetworkTests
{
    public sealed record Case(Func<nn.Module<Tensor, Tensor>> Create, long ParameterCount, int InChannels, int Size, int OutChannels, int Scale);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["fused_edsr_x2"] = new(() => new Zoo.FusedEdsrX2(), Zoo.FusedEdsrX2.ParameterCount, Zoo.FusedEdsrX2.InChannels, Zoo.FusedEdsrX2.InputSize, Zoo.FusedEdsrX2.OutChannels, Zoo.FusedEdsrX2.Scale),
        ["edsr_like_x3"] = new(() => new Zoo.EdsrLikeX3(), Zoo.EdsrLikeX3.ParameterCount, Zoo.EdsrLikeX3.InChannels, Zoo.EdsrLikeX3.InputSize, Zoo.EdsrLikeX3.OutChannels, Zoo.EdsrLikeX3.Scale),
        ["msrn_x2"] = new(() => new Zoo.MsrnX2(), Zoo.MsrnX2.ParameterCount, Zoo.MsrnX2.InChannels, Zoo.MsrnX2.InputSize, Zoo.MsrnX2.OutChannels, Zoo.MsrnX2.Scale),
        ["msrn_x3"] = new(() => new Zoo.MsrnX3(), Zoo.MsrnX3.ParameterCount, Zoo.MsrnX3.InChannels, Zoo.MsrnX3.InputSize, Zoo.MsrnX3.OutChannels, Zoo.MsrnX3.Scale),
        ["msrn_x4"] = new(() => new Zoo.MsrnX4(), Zoo.MsrnX4.ParameterCount, Zoo.MsrnX4.InChannels, Zoo.MsrnX4.InputSize, Zoo.MsrnX4.OutChannels, Zoo.MsrnX4.Scale),
    };

    public static TheoryData<string> All => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(All))]
    public void Builds_counts_and_runs_forward_and_backward_to_the_upscaled_image(string name)
    {
        var c = Cases[name];
        manual_seed(5);
        using var model = c.Create();
        Assert.Equal(c.ParameterCount, StateDicts.ParameterCount(model));
        model.train();
        using var scope = NewDisposeScope();
        var input = randn(2, c.InChannels, c.Size, c.Size);
        // Run under ONEDNN_MAX_CPU_ISA=SSE41 (onednn.runsettings): libtorch 2.10's oneDNN computes the input
        // gradient of the last conv (64 -> 3 channels) in a layout padded to 16 channels and reads padding
        // it never wrote, so about 1 backward in 20 had NaN gradients from that conv down to the stem.
        // One intra-op thread (the earlier workaround) only made that rarer: with every fresh allocation
        // filled with NaN bytes it fails 6 of 6 passes at 1 thread too, and 0 of 6 under SSE41.
        var image = model.call(input);
        Assert.Equal([2L, c.OutChannels, (long)c.Size * c.Scale, (long)c.Size * c.Scale], image.shape);
        Assert.True(image.isfinite().all().item<bool>(), $"{name}: non-finite output");
        var loss = nn.functional.l1_loss(image, zeros_like(image));
        loss.backward();
        foreach (var (parameter, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: {parameter} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name}: {parameter} has a non-finite gradient");
        }
        // The first block's output reaches the loss through the fusion (and the chain): its gradient is not zero.
        Assert.True(model.named_parameters().First(p => p.name == "layer1.0.conv1.weight").parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Fusion_and_reconstruction_keys_follow_the_resnetgen_torch_target()
    {
        using var model = new Zoo.FusedEdsrX2();
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal(
            ["fusion.weight", "fusion.bias", "reconstruction.0.weight", "reconstruction.0.bias", "reconstruction.1.weight", "reconstruction.1.bias", "reconstruction.3.weight", "reconstruction.3.bias"],
            keys.Skip(keys.IndexOf("fusion.weight")));
        Assert.Equal([64L, 576L, 1L, 1L], model.state_dict()["fusion.weight"].shape);
    }
}
