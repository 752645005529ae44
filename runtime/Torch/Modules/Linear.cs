using static ResNetGen.Torch.torch.nn;

namespace ResNetGen.Torch.Modules;

/// <summary>y = x Wᵀ + b (PyTorch's nn.Linear), PyTorch's default init.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long in_features, long out_features, bool bias = true) : base(nameof(Linear))
    {
        if (in_features <= 0 || out_features <= 0) throw new ArgumentOutOfRangeException(nameof(in_features), "feature counts must be positive");
        (this.in_features, this.out_features) = (in_features, out_features);
        using (var w = torch.empty([out_features, in_features])) weight = new Parameter(w);
        register_parameter("weight", weight);
        init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias)
        {
            using (var b = torch.empty([out_features])) this.bias = new Parameter(b);
            var bound = 1 / Math.Sqrt(in_features);
            init.uniform_(this.bias, -bound, bound);
        }
        register_parameter("bias", this.bias);
    }

    public long in_features { get; }
    public long out_features { get; }
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
}
