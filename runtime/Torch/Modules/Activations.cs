using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

public sealed class ReLU(bool inplace = false) : Module<Tensor, Tensor>(nameof(ReLU))
{
    public bool inplace { get; } = inplace;

    public override Tensor forward(Tensor input) => functional.relu(input, inplace);
}

public sealed class LeakyReLU(double negative_slope = 0.01, bool inplace = false) : Module<Tensor, Tensor>(nameof(LeakyReLU))
{
    public double negative_slope { get; } = negative_slope;
    public bool inplace { get; } = inplace;

    public override Tensor forward(Tensor input) => functional.leaky_relu(input, negative_slope, inplace);
}

public sealed class Sigmoid() : Module<Tensor, Tensor>(nameof(Sigmoid))
{
    public override Tensor forward(Tensor input) => input.sigmoid();
}

public sealed class Dropout(double p = 0.5, bool inplace = false) : Module<Tensor, Tensor>(nameof(Dropout))
{
    public double p { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
    public bool inplace { get; } = inplace;

    public override Tensor forward(Tensor input) => functional.dropout(input, p, training, inplace);
}
