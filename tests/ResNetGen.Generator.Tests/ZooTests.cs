using System.Text.Json;
using ResNetGen.Torch;
using ResNetGen.Zoo;

namespace ResNetGen.Generator.Tests;

/// <summary>Reference data from a live torchvision (Oracle/zoo_oracle.py run by /usr/bin/python3), computed once.</summary>
public sealed class ZooOracle
{
    public ZooOracle()
    {
        using var doc = PythonOracle.Json("zoo_oracle.py");
        foreach (var model in doc.RootElement.GetProperty("torchvision").EnumerateObject())
        {
            Params[model.Name] = model.Value.GetProperty("params").GetInt64();
            Keys[model.Name] = model.Value.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        }
        foreach (var model in doc.RootElement.GetProperty("cifar").EnumerateObject())
        {
            Cifar[model.Name] = model.Value.GetInt64();
        }
    }

    public Dictionary<string, long> Params { get; } = new();

    public Dictionary<string, List<string>> Keys { get; } = new();

    public Dictionary<string, long> Cifar { get; } = new();
}

[CollectionDefinition("zoo")]
public sealed class ZooCollection : ICollectionFixture<ZooOracle>;

[Collection("zoo")]
public class ZooTests(ZooOracle oracle)
{
    /// <summary>torchvision's published numbers (docs' "num_params"), and a factory for our generated twin.</summary>
    public static readonly TheoryData<string, long> Published = new()
    {
        { "resnet18", 11_689_512 },
        { "resnet34", 21_797_672 },
        { "resnet50", 25_557_032 },
        { "resnet101", 44_549_160 },
        { "resnet152", 60_192_808 },
        { "resnext50_32x4d", 25_028_904 },
        { "resnext101_32x8d", 88_791_336 },
        { "wide_resnet50_2", 68_883_240 },
    };

    private static (long Constant, Func<Module> Create) Twin(string name) => name switch
    {
        "resnet18" => (ResNet18.ParameterCount, () => new ResNet18()),
        "resnet34" => (ResNet34.ParameterCount, () => new ResNet34()),
        "resnet50" => (ResNet50.ParameterCount, () => new ResNet50()),
        "resnet101" => (ResNet101.ParameterCount, () => new ResNet101()),
        "resnet152" => (ResNet152.ParameterCount, () => new ResNet152()),
        "resnext50_32x4d" => (ResNeXt50_32x4d.ParameterCount, () => new ResNeXt50_32x4d()),
        "resnext101_32x8d" => (ResNeXt101_32x8d.ParameterCount, () => new ResNeXt101_32x8d()),
        "wide_resnet50_2" => (WideResNet50_2.ParameterCount, () => new WideResNet50_2()),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void Torchvision_twin_matches_parameter_count_and_state_dict_keys(string name, long published)
    {
        var (constant, create) = Twin(name);
        Assert.Equal(published, constant);
        Assert.Equal(published, oracle.Params[name]);

        using var net = create();
        Assert.Equal(published, net.parameters().Sum(p => p.numel()));
        var keys = net.state_dict().Keys.ToList();
        Assert.Equal(oracle.Keys[name], keys); // same keys, same order
    }

    public static readonly TheoryData<int, string, long> CifarCases = new()
    {
        // Option A counts also equal the table of akamaster/pytorch_resnet_cifar10 (0.27M, 0.46M, 0.66M, 0.85M, 1.7M).
        { 20, "A", 269_722 }, { 32, "A", 464_154 }, { 44, "A", 658_586 }, { 56, "A", 853_018 }, { 110, "A", 1_727_962 },
        { 20, "B", 272_474 }, { 32, "B", 466_906 }, { 44, "B", 661_338 }, { 56, "B", 855_770 }, { 110, "B", 1_730_714 },
    };

    private static long CifarConstant(int depth, string option) => (depth, option) switch
    {
        (20, "A") => CifarResNet20A.ParameterCount, (20, "B") => CifarResNet20B.ParameterCount,
        (32, "A") => CifarResNet32A.ParameterCount, (32, "B") => CifarResNet32B.ParameterCount,
        (44, "A") => CifarResNet44A.ParameterCount, (44, "B") => CifarResNet44B.ParameterCount,
        (56, "A") => CifarResNet56A.ParameterCount, (56, "B") => CifarResNet56B.ParameterCount,
        (110, "A") => CifarResNet110A.ParameterCount, (110, "B") => CifarResNet110B.ParameterCount,
        _ => throw new ArgumentException($"{depth}{option}"),
    };

    [Theory]
    [MemberData(nameof(CifarCases))]
    public void Cifar_resnet_matches_an_independent_pytorch_definition(int depth, string option, long expected)
    {
        Assert.Equal(oracle.Cifar[$"{depth}{option}"], expected);
        Assert.Equal(expected, CifarConstant(depth, option));
    }

    [Fact]
    public void Cifar_resnet20_option_a_runs_and_counts_at_runtime()
    {
        using var net = new CifarResNet20A();
        Assert.Equal(CifarResNet20A.ParameterCount, net.parameters().Sum(p => p.numel()));
        net.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.rand(new long[] { 2, 3, 32, 32 });
        var y = net.forward(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
        var features = net.ForwardFeatures(x);
        Assert.Equal(new long[] { 2, CifarResNet20A.Layer3Channels, CifarResNet20A.Layer3Size, CifarResNet20A.Layer3Size }, features.layer3.shape);
    }

    [Fact]
    public void Wrong_input_channels_throw_a_clear_error()
    {
        using var net = new CifarResNet20B();
        using var scope = torch.NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => net.forward(torch.rand(new long[] { 2, 1, 32, 32 })));
        Assert.Contains("[N, 3, H, W]", error.Message);
        Assert.Contains("[2, 1, 32, 32]", error.Message);
        Assert.Throws<ArgumentException>(() => net.forward(torch.rand(new long[] { 3, 32, 32 })));
    }

    [Fact]
    public void Custom_block_audio_network_and_resnet_d_run()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var audio = new AudioResNet();
        Assert.Equal(AudioResNet.ParameterCount, audio.parameters().Sum(p => p.numel()));
        Assert.Equal(new long[] { 2, 50 }, audio.forward(torch.rand(new long[] { 2, 1, 128, 128 })).shape);
        using var d = new ResNet50D();
        Assert.Equal(ResNet50D.ParameterCount, d.parameters().Sum(p => p.numel()));
        // timm's resnet50d has 25,576,264 parameters (published in timm's model card).
        Assert.Equal(25_576_264, ResNet50D.ParameterCount);
        d.eval();
        var features = d.ForwardFeatures(torch.rand(new long[] { 1, 3, 64, 64 }));
        Assert.Equal(new long[] { 1, 2048, 2, 2 }, features.layer4.shape);
    }

    [Fact]
    public void Resnet18_multiply_adds_match_the_published_1_8_gflops()
    {
        // torchvision documents resnet18 at 1.81 GFLOPS (multiply-adds) for 224×224.
        Assert.InRange(ResNet18.MultiplyAdds, 1_810_000_000, 1_830_000_000);
        Assert.InRange(ResNet50.MultiplyAdds, 4_080_000_000, 4_120_000_000);
        Assert.Contains("Total params: 11,689,512", ResNet18.Summary());
    }
}
