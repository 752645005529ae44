using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>2-d convolution with square kernels (PyTorch's nn.Conv2d), PyTorch's default init.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true) : base(nameof(Conv2d))
    {
        if (in_channels <= 0 || out_channels <= 0) throw new ArgumentOutOfRangeException(nameof(in_channels), "channel counts must be positive");
        if (groups <= 0 || in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide in_channels ({in_channels}) and out_channels ({out_channels})", nameof(groups));
        (this.in_channels, this.out_channels, this.kernel_size) = (in_channels, out_channels, kernel_size);
        (this.stride, this.padding, this.dilation, this.groups) = (stride, padding, dilation, groups);

        using (var w = torch.empty([out_channels, in_channels / groups, kernel_size, kernel_size]))
            weight = new Parameter(w);
        register_parameter("weight", weight);
        // PyTorch's reset_parameters: kaiming_uniform(a=sqrt(5)), bias uniform(+-1/sqrt(fan_in)).
        init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias)
        {
            using (var b = torch.empty([out_channels])) this.bias = new Parameter(b);
            var bound = 1 / Math.Sqrt(init.calculate_fan_in_and_fan_out(weight).fanIn);
            init.uniform_(this.bias, -bound, bound);
        }
        register_parameter("bias", this.bias);
    }

    public long in_channels { get; }
    public long out_channels { get; }
    public long kernel_size { get; }
    public long stride { get; }
    public long padding { get; }
    public long dilation { get; }
    public long groups { get; }

    public Parameter weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) =>
        functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
}
