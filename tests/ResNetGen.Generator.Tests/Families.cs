namespace ResNetGen.Generator.Tests;

/// <summary>One small declaration per family the generator supports (used by snapshot and compile tests).</summary>
public static class Families
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["ResNet18"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(InputSize = 224)]
            [ResidualStage(64, 2)]
            [ResidualStage(128, 2, stride: 2)]
            [ResidualStage(256, 2, stride: 2)]
            [ResidualStage(512, 2, stride: 2)]
            public partial class ResNet18 { }
            """,
        ["ResNet50"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.Bottleneck, InputSize = 224)]
            [ResidualStage(64, 3)]
            [ResidualStage(128, 4, stride: 2)]
            [ResidualStage(256, 6, stride: 2)]
            [ResidualStage(512, 3, stride: 2)]
            public partial class ResNet50 { }
            """,
        ["BottleneckStrideOnFirstConv"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>Original paper / Keras: the stride sits on the first 1×1.</summary>
            [ResNet(Block = BlockKind.Bottleneck, StrideOnFirstConv = true, NumClasses = 10, InputSize = 64)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 2, stride: 2)]
            public partial class KerasStyle { }
            """,
        ["PreActResNet18"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.PreActBasic, NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar, Filters = 64)]
            [ResidualStage(64, 2)]
            [ResidualStage(128, 2, stride: 2)]
            [ResidualStage(256, 2, stride: 2)]
            [ResidualStage(512, 2, stride: 2)]
            public partial class PreActResNet18 { }
            """,
        ["PreActBottleneck"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.PreActBottleneck, NumClasses = 100)]
            [Stem(StemKind.Cifar, Filters = 32)]
            [ResidualStage(16, 2)]
            [ResidualStage(32, 2, stride: 2)]
            public partial class PreActBottleneckNet { }
            """,
        ["ResNeXt"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.Bottleneck, Groups = 32, WidthPerGroup = 4, NumClasses = 10, InputSize = 64)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 1, stride: 2)]
            public partial class TinyResNeXt { }
            """,
        ["WideResNet"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.Bottleneck, WidthPerGroup = 128, NumClasses = 10)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 1, stride: 2)]
            public partial class TinyWide { }
            """,
        ["CifarOptionA"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(NumClasses = 10, InputSize = 32, Shortcut = ShortcutKind.ZeroPad)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 3)]
            [ResidualStage(32, 3, stride: 2)]
            [ResidualStage(64, 3, stride: 2)]
            public partial class ResNet20A { }
            """,
        ["CifarOptionB"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(NumClasses = 10, InChannels = 1, InputSize = 28)]
            [Stem(StemKind.Cifar, Filters = 16)]
            [ResidualStage(filters: 16, blocks: 3)]
            [ResidualStage(filters: 32, blocks: 3, stride: 2)]
            [ResidualStage(filters: 64, blocks: 3, stride: 2)]
            public partial class ResNet20 { }
            """,
        ["ResNetD"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(Block = BlockKind.Bottleneck, Shortcut = ShortcutKind.AvgDown, NumClasses = 10, InputSize = 128)]
            [Stem(StemKind.Deep)]
            [ResidualStage(64, 1)]
            [ResidualStage(128, 2, stride: 2)]
            public partial class TinyResNetD { }
            """,
        ["SqueezeExcite"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(SqueezeExcite = 16, NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2, SqueezeExcite = 8)]
            public partial class SeResNet { }
            """,
        ["StochasticDepth"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(DropPath = 0.2, NumClasses = 10, InputSize = 32)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 2)]
            [ResidualStage(32, 2, stride: 2)]
            public partial class DeepStochastic { }
            """,
        ["Dilation"] = """
            using ResNetGen;
            namespace Zoo;
            /// <summary>A DeepLab-style backbone: the last stage keeps stride 1 and dilates instead.</summary>
            [ResNet(Block = BlockKind.Bottleneck, NumClasses = 0, InputSize = 64)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2)]
            [ResidualStage(64, 2, stride: 1, Dilation = 2)]
            public partial class DilatedBackbone { }
            """,
        ["ZeroInitAndDropout"] = """
            using ResNetGen;
            namespace Zoo;
            [ResNet(ZeroInitResidual = true, Dropout = 0.25, NumClasses = 5)]
            [Stem(StemKind.Cifar)]
            [ResidualStage(16, 1)]
            [ResidualStage(32, 1, stride: 2, Block = BlockKind.Bottleneck)]
            internal partial class ZeroInitNet { }
            """,
        ["FeatureExtractor"] = """
            using ResNetGen;
            [ResNet(NumClasses = 0, InChannels = 1)]
            [Stem(StemKind.Cifar, Filters = 8)]
            [ResidualStage(8, 1)]
            [ResidualStage(16, 1, stride: 2)]
            public partial class GlobalFeatures { }
            """,
        ["CustomBlock"] = """
            using ResNetGen;
            namespace Audio;

            /// <summary>An audio-style block: leaky ReLU, 3×3 convs, leaky after the add.</summary>
            [ResidualBlock(Activation = ActivationKind.LeakyRelu, NegativeSlope = 0.1)]
            [Conv(3, Strided = true)]
            [BatchNorm]
            [LeakyRelu(0.1)]
            [Dropout(0.1)]
            [Conv(3)]
            [BatchNorm]
            [SqueezeExcite(4)]
            internal partial class LeakyBlock { }

            /// <summary>A multi-scale block: a max-pool downsamples, a 1×1 expands.</summary>
            [ResidualBlock]
            [Conv(1)]
            [BatchNorm]
            [Relu]
            [MaxPool(3, Strided = true)]
            [Conv(3, Groups = 4, Expansion = 2)]
            [BatchNorm(ZeroInitTarget = true)]
            public partial class PoolBlock { }

            [ResNet(NumClasses = 50, InChannels = 1, InputSize = 64, ZeroInitResidual = true)]
            [Stem(StemKind.Cifar, Filters = 32)]
            [ResidualStage(32, 2, CustomBlock = typeof(LeakyBlock))]
            [ResidualStage(64, 1, stride: 2, CustomBlock = typeof(LeakyBlock))]
            [ResidualStage(64, 1, stride: 2, CustomBlock = typeof(PoolBlock), Shortcut = ShortcutKind.AvgDown)]
            public partial class AudioNet { }
            """,
        ["NestedAndInternal"] = """
            using ResNetGen;
            namespace Outer.Space;
            public static partial class Models
            {
                public partial class Inner
                {
                    [ResNet(NumClasses = 3, InputSize = 16)]
                    [Stem(StemKind.Cifar, Filters = 8)]
                    [ResidualStage(8, 1)]
                    internal partial class Tiny { }
                }
            }
            """,
    };
}
