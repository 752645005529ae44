using ResNetGen.Torch.Native;

namespace ResNetGen.Torch;

/// <summary>How a loss reduces over the batch (PyTorch's reduction='none'|'mean'|'sum').</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless layer functions (PyTorch's torch.nn.functional).</summary>
        public static class functional
        {
            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1,
                long padding = 0, long dilation = 1, long groups = 1) =>
                conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, (long h, long w) stride,
                (long h, long w) padding, (long h, long w) dilation, long groups = 1)
            {
                long* s = stackalloc long[] { stride.h, stride.w };
                long* p = stackalloc long[] { padding.h, padding.w };
                long* d = stackalloc long[] { dilation.h, dilation.w };
                var args = new NativeArgs();
                try
                {
                    return LibTorch.Wrap(LibTorch.resnetgen_conv2d(input.Handle, weight.Handle, args.Optional(bias), s, p, d, groups, out var r), r);
                }
                finally
                {
                    args.Dispose();
                }
            }

            /// <summary>Batch norm; in training mode the running statistics are updated in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null,
                Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var args = new NativeArgs();
                try
                {
                    return LibTorch.Wrap(LibTorch.resnetgen_batch_norm(input.Handle, args.Optional(weight), args.Optional(bias),
                        args.Optional(running_mean), args.Optional(running_var), training ? 1 : 0, momentum, eps, out var r), r);
                }
                finally
                {
                    args.Dispose();
                }
            }

            public static Tensor relu(Tensor x, bool inplace = false) => inplace ? x.relu_() : x.relu();

            public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01, bool inplace = false)
            {
                LibTorch.Check(LibTorch.resnetgen_leaky_relu(x.Handle, negative_slope, inplace ? 1 : 0, out var r));
                if (!inplace) return new Tensor(r);
                LibTorch.Check(LibTorch.resnetgen_tensor_free(r)); // the in-place result is x itself
                return x;
            }

            public static Tensor sigmoid(Tensor x) => x.sigmoid();

            public static unsafe Tensor max_pool2d(Tensor x, long kernel_size, long? stride = null, long padding = 0,
                long dilation = 1, bool ceil_mode = false)
            {
                var st = stride ?? kernel_size;
                long* k = stackalloc long[] { kernel_size, kernel_size };
                long* s = stackalloc long[] { st, st };
                long* p = stackalloc long[] { padding, padding };
                long* d = stackalloc long[] { dilation, dilation };
                return LibTorch.Wrap(LibTorch.resnetgen_max_pool2d(x.Handle, k, s, p, d, ceil_mode ? 1 : 0, out var r), r);
            }

            public static unsafe Tensor avg_pool2d(Tensor x, long kernel_size, long? stride = null, long padding = 0,
                bool ceil_mode = false, bool count_include_pad = true)
            {
                var st = stride ?? kernel_size;
                long* k = stackalloc long[] { kernel_size, kernel_size };
                long* s = stackalloc long[] { st, st };
                long* p = stackalloc long[] { padding, padding };
                return LibTorch.Wrap(LibTorch.resnetgen_avg_pool2d(x.Handle, k, s, p, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0, out var r), r);
            }

            public static unsafe Tensor adaptive_avg_pool2d(Tensor x, long output_h, long output_w)
            {
                long* o = stackalloc long[] { output_h, output_w };
                return LibTorch.Wrap(LibTorch.resnetgen_adaptive_avg_pool2d(x.Handle, o, out var r), r);
            }

            public static unsafe Tensor adaptive_max_pool2d(Tensor x, long output_h, long output_w)
            {
                long* o = stackalloc long[] { output_h, output_w };
                return LibTorch.Wrap(LibTorch.resnetgen_adaptive_max_pool2d(x.Handle, o, out var r), r);
            }

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var args = new NativeArgs();
                try
                {
                    return LibTorch.Wrap(LibTorch.resnetgen_linear(input.Handle, weight.Handle, args.Optional(bias), out var r), r);
                }
                finally
                {
                    args.Dispose();
                }
            }

            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true, bool inplace = false)
            {
                LibTorch.Check(LibTorch.resnetgen_dropout(x.Handle, p, training ? 1 : 0, inplace ? 1 : 0, out var r));
                if (!inplace) return new Tensor(r);
                LibTorch.Check(LibTorch.resnetgen_tensor_free(r));
                return x;
            }

            /// <summary>
            /// Stochastic depth (drop path): in training, zeroes whole samples with probability
            /// <paramref name="p"/> and scales the survivors by 1/(1-p) (torchvision's StochasticDepth, "row" mode).
            /// </summary>
            public static Tensor drop_path(Tensor x, double p, bool training)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "drop path probability must be in [0, 1]");
                if (!training || p == 0) return x;
                var keep = 1 - p;
                var shape = new long[x.dim()];
                Array.Fill(shape, 1L);
                shape[0] = x.size(0);
                using var mask = empty(shape, x.dtype, x.device).bernoulli_(keep);
                if (keep > 0) mask.div_(keep);
                return x.mul(mask);
            }

            /// <summary>
            /// Sub-pixel upsampling (Shi et al. 2016), as <c>torch.nn.functional.pixel_shuffle</c>:
            /// <c>[*, C·r², H, W] → [*, C, H·r, W·r]</c>, input channel <c>c·r² + i·r + j</c> going to output pixel
            /// <c>(h·r + i, w·r + j)</c> of channel c. Written with view / permute / reshape, so autograd carries the gradient.
            /// </summary>
            public static Tensor pixel_shuffle(Tensor input, long upscale_factor)
            {
                ArgumentNullException.ThrowIfNull(input);
                if (upscale_factor < 1) throw new ArgumentOutOfRangeException(nameof(upscale_factor), upscale_factor, "the upscale factor must be at least 1");
                var shape = input.shape;
                if (shape.Length < 3) throw new ArgumentException($"pixel_shuffle expects at least 3 dimensions [*, C, H, W]; got [{string.Join(", ", shape)}]", nameof(input));
                var r = upscale_factor;
                var batch = shape[..^3];
                long c = shape[^3], h = shape[^2], w = shape[^1];
                if (c % (r * r) != 0)
                {
                    throw new ArgumentException($"pixel_shuffle({r}) needs channels divisible by {r * r}; got {c} channels", nameof(input));
                }
                var outC = c / (r * r);
                var b = batch.Length;
                // [*, C, r, r, H, W] → [*, C, H, r, W, r] → [*, C, H·r, W·r]
                using var split = input.reshape([.. batch, outC, r, r, h, w]);
                var order = Enumerable.Range(0, b).Select(i => (long)i).Concat(new long[] { b, b + 3, b + 1, b + 4, b + 2 }).ToArray();
                using var moved = split.permute(order);
                return moved.reshape([.. batch, outC, h * r, w * r]);
            }

            /// <summary>Constant padding; <paramref name="pad"/> lists (left, right, top, bottom, ...) from the last dimension back.</summary>
            public static unsafe Tensor pad(Tensor x, long[] pad, double value = 0)
            {
                ArgumentNullException.ThrowIfNull(pad);
                fixed (long* p = pad) return LibTorch.Wrap(LibTorch.resnetgen_pad(x.Handle, p, pad.Length, value, out var r), r);
            }

            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0)
            {
                var args = new NativeArgs();
                try
                {
                    return LibTorch.Wrap(LibTorch.resnetgen_cross_entropy(input.Handle, target.Handle, args.Optional(weight),
                        (int)reduction, ignore_index, label_smoothing, out var r), r);
                }
                finally
                {
                    args.Dispose();
                }
            }

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                LibTorch.Wrap(LibTorch.resnetgen_mse_loss(input.Handle, target.Handle, (int)reduction, out var r), r);

            public static Tensor softmax(Tensor x, long dim) => LibTorch.Wrap(LibTorch.resnetgen_softmax(x.Handle, dim, 0, out var r), r);

            public static Tensor log_softmax(Tensor x, long dim) => LibTorch.Wrap(LibTorch.resnetgen_softmax(x.Handle, dim, 1, out var r), r);

            public static Tensor one_hot(Tensor x, long num_classes = -1) =>
                LibTorch.Wrap(LibTorch.resnetgen_one_hot(x.Handle, num_classes, out var r), r);
        }
    }
}
