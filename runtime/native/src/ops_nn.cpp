// The neural-network ops a ResNet and its training need.
#include "shim_common.h"

namespace {
// A 2-element int array (kernel, stride, padding, dilation).
at::IntArrayRef pair(const int64_t* v, const char* what) {
  if (v == nullptr) throw std::invalid_argument(std::string("null ") + what);
  return at::IntArrayRef(v, 2);
}
}  // namespace

RNG_API int rng_conv2d(rng_tensor x, rng_tensor weight, rng_tensor bias, const int64_t* stride,
                       const int64_t* padding, const int64_t* dilation, int64_t groups, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::conv2d(rng::T(x, "input"), rng::T(weight, "weight"), rng::opt(bias), pair(stride, "stride"),
                           pair(padding, "padding"), pair(dilation, "dilation"), groups));
  RNG_END
}

// running_mean/var are updated in place in training mode, as in PyTorch.
RNG_API int rng_batch_norm(rng_tensor x, rng_tensor weight, rng_tensor bias, rng_tensor running_mean,
                           rng_tensor running_var, int training, double momentum, double eps, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::batch_norm(rng::T(x, "input"), rng::opt(weight), rng::opt(bias), rng::opt(running_mean),
                               rng::opt(running_var), training != 0, momentum, eps, at::globalContext().userEnabledCuDNN()));
  RNG_END
}

RNG_API int rng_leaky_relu(rng_tensor x, double slope, int inplace, rng_tensor* out) {
  RNG_BEGIN
  if (inplace) {
    at::leaky_relu_(rng::T(x), slope);
    rng::put(out, rng::T(x));
  } else {
    rng::put(out, at::leaky_relu(rng::T(x), slope));
  }
  RNG_END
}

RNG_API int rng_max_pool2d(rng_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                           const int64_t* dilation, int ceil_mode, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::max_pool2d(rng::T(x), pair(kernel, "kernel"), pair(stride, "stride"), pair(padding, "padding"),
                               pair(dilation, "dilation"), ceil_mode != 0));
  RNG_END
}

RNG_API int rng_avg_pool2d(rng_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                           int ceil_mode, int count_include_pad, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::avg_pool2d(rng::T(x), pair(kernel, "kernel"), pair(stride, "stride"), pair(padding, "padding"),
                               ceil_mode != 0, count_include_pad != 0));
  RNG_END
}

RNG_API int rng_adaptive_avg_pool2d(rng_tensor x, const int64_t* output_size, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::adaptive_avg_pool2d(rng::T(x), pair(output_size, "output size")));
  RNG_END
}

RNG_API int rng_adaptive_max_pool2d(rng_tensor x, const int64_t* output_size, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, std::get<0>(at::adaptive_max_pool2d(rng::T(x), pair(output_size, "output size"))));
  RNG_END
}

RNG_API int rng_linear(rng_tensor x, rng_tensor weight, rng_tensor bias, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::linear(rng::T(x, "input"), rng::T(weight, "weight"), rng::opt(bias)));
  RNG_END
}

RNG_API int rng_dropout(rng_tensor x, double p, int training, int inplace, rng_tensor* out) {
  RNG_BEGIN
  if (p < 0 || p > 1) throw std::invalid_argument("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  if (inplace) {
    at::dropout_(rng::T(x), p, training != 0);
    rng::put(out, rng::T(x));
  } else {
    rng::put(out, at::dropout(rng::T(x), p, training != 0));
  }
  RNG_END
}

// Constant padding; pad lists (left, right, top, bottom, ...) from the last dimension back.
RNG_API int rng_pad(rng_tensor x, const int64_t* pad, int count, double value, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::constant_pad_nd(rng::T(x), rng::dims(pad, count), value));
  RNG_END
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction's values).
RNG_API int rng_cross_entropy(rng_tensor input, rng_tensor target, rng_tensor weight, int reduction,
                              int64_t ignore_index, double label_smoothing, rng_tensor* out) {
  RNG_BEGIN
  if (reduction < 0 || reduction > 2) throw std::invalid_argument("unknown reduction " + std::to_string(reduction));
  rng::put(out, at::cross_entropy_loss(rng::T(input, "input"), rng::T(target, "target"), rng::opt(weight),
                                       reduction, ignore_index, label_smoothing));
  RNG_END
}

RNG_API int rng_mse_loss(rng_tensor input, rng_tensor target, int reduction, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::mse_loss(rng::T(input, "input"), rng::T(target, "target"), reduction));
  RNG_END
}

RNG_API int rng_softmax(rng_tensor x, int64_t dim, int log, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, log ? at::log_softmax(rng::T(x), dim) : at::softmax(rng::T(x), dim));
  RNG_END
}

// In-place initialisers, run without recording gradients.
// kind: 0 uniform_(a, b), 1 normal_(mean=a, std=b), 2 fill_(a), 3 bernoulli_(p=a)
RNG_API int rng_init_(int kind, rng_tensor x, double a, double b) {
  RNG_BEGIN
  at::NoGradGuard no_grad;
  auto& t = rng::T(x);
  switch (kind) {
    case 0: t.uniform_(a, b); break;
    case 1: t.normal_(a, b); break;
    case 2: t.fill_(a); break;
    case 3: t.bernoulli_(a); break;
    default: throw std::invalid_argument("unknown init kind " + std::to_string(kind));
  }
  RNG_END
}
