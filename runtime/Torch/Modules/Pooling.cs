using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

public sealed class MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
    : Module<Tensor, Tensor>(nameof(MaxPool2d))
{
    public long kernel_size { get; } = kernel_size;
    public long stride { get; } = stride ?? kernel_size;
    public long padding { get; } = padding;

    public override Tensor forward(Tensor input) =>
        functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);
}

public sealed class AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
    : Module<Tensor, Tensor>(nameof(AvgPool2d))
{
    public long kernel_size { get; } = kernel_size;
    public long stride { get; } = stride ?? kernel_size;
    public long padding { get; } = padding;

    public override Tensor forward(Tensor input) =>
        functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

public sealed class AdaptiveAvgPool2d(long output_h, long output_w) : Module<Tensor, Tensor>(nameof(AdaptiveAvgPool2d))
{
    public AdaptiveAvgPool2d(long output_size) : this(output_size, output_size) { }

    public override Tensor forward(Tensor input) => functional.adaptive_avg_pool2d(input, output_h, output_w);
}

public sealed class AdaptiveMaxPool2d(long output_h, long output_w) : Module<Tensor, Tensor>(nameof(AdaptiveMaxPool2d))
{
    public AdaptiveMaxPool2d(long output_size) : this(output_size, output_size) { }

    public override Tensor forward(Tensor input) => functional.adaptive_max_pool2d(input, output_h, output_w);
}
