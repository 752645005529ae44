namespace ResNetGen.Torch;

/// <summary>Which fan a Kaiming initialiser preserves the variance of.</summary>
public enum FanMode
{
    FanIn,
    FanOut,
}

/// <summary>The non-linearity a gain is computed for (PyTorch's calculate_gain).</summary>
public enum Nonlinearity
{
    Linear,
    Conv2d,
    Sigmoid,
    Tanh,
    ReLU,
    LeakyReLU,
}

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Weight initialisers (PyTorch's torch.nn.init). All work in place without recording gradients.</summary>
        public static class init
        {
            public static double calculate_gain(Nonlinearity nonlinearity, double param = 0.01) => nonlinearity switch
            {
                Nonlinearity.Linear or Nonlinearity.Conv2d or Nonlinearity.Sigmoid => 1.0,
                Nonlinearity.Tanh => 5.0 / 3,
                Nonlinearity.ReLU => Math.Sqrt(2.0),
                Nonlinearity.LeakyReLU => Math.Sqrt(2.0 / (1 + param * param)),
                _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity)),
            };

            /// <summary>(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) calculate_fan_in_and_fan_out(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [{string.Join(", ", shape)}])");
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            private static double KaimingStd(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                var fan = mode == FanMode.FanIn ? fanIn : fanOut;
                return calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
            }

            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
                Nonlinearity nonlinearity = Nonlinearity.LeakyReLU) =>
                tensor.normal_(0, KaimingStd(tensor, a, mode, nonlinearity));

            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
                Nonlinearity nonlinearity = Nonlinearity.LeakyReLU)
            {
                var bound = Math.Sqrt(3.0) * KaimingStd(tensor, a, mode, nonlinearity);
                return tensor.uniform_(-bound, bound);
            }

            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1) => tensor.uniform_(a, b);

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1) => tensor.normal_(mean, std);

            public static Tensor constant_(Tensor tensor, double value) => tensor.fill_(value);

            public static Tensor zeros_(Tensor tensor) => tensor.fill_(0);

            public static Tensor ones_(Tensor tensor) => tensor.fill_(1);
        }
    }
}
