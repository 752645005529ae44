// The neural-network ops a ResNet and its training need.
#include "shim_common.h"
#include "op_codes.h"

namespace {
// A 2-element int array (kernel, stride, padding, dilation).
at::IntArrayRef pair(const int64_t* v, const char* what) {
  if (v == nullptr) throw std::invalid_argument(std::string("null ") + what);
  return at::IntArrayRef(v, 2);
}
}  // namespace

RESNETGEN_API int resnetgen_conv2d(resnetgen_tensor x, resnetgen_tensor weight, resnetgen_tensor bias, const int64_t* stride,
                                   const int64_t* padding, const int64_t* dilation, int64_t groups, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::conv2d(shim::T(x, "input"), shim::T(weight, "weight"), shim::opt(bias), pair(stride, "stride"),
                           pair(padding, "padding"), pair(dilation, "dilation"), groups));
  RESNETGEN_END
}

// running_mean/var are updated in place in training mode, as in PyTorch.
RESNETGEN_API int resnetgen_batch_norm(resnetgen_tensor x, resnetgen_tensor weight, resnetgen_tensor bias, resnetgen_tensor running_mean,
                                       resnetgen_tensor running_var, int training, double momentum, double eps, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::batch_norm(shim::T(x, "input"), shim::opt(weight), shim::opt(bias), shim::opt(running_mean),
                               shim::opt(running_var), training != 0, momentum, eps, at::globalContext().userEnabledCuDNN()));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_leaky_relu(resnetgen_tensor x, double slope, int inplace, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (inplace) {
    at::leaky_relu_(shim::T(x), slope);
    shim::put(out, shim::T(x));
  } else {
    shim::put(out, at::leaky_relu(shim::T(x), slope));
  }
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_max_pool2d(resnetgen_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                       const int64_t* dilation, int ceil_mode, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::max_pool2d(shim::T(x), pair(kernel, "kernel"), pair(stride, "stride"), pair(padding, "padding"),
                               pair(dilation, "dilation"), ceil_mode != 0));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_avg_pool2d(resnetgen_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                       int ceil_mode, int count_include_pad, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::avg_pool2d(shim::T(x), pair(kernel, "kernel"), pair(stride, "stride"), pair(padding, "padding"),
                               ceil_mode != 0, count_include_pad != 0));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_adaptive_avg_pool2d(resnetgen_tensor x, const int64_t* output_size, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::adaptive_avg_pool2d(shim::T(x), pair(output_size, "output size")));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_adaptive_max_pool2d(resnetgen_tensor x, const int64_t* output_size, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, std::get<0>(at::adaptive_max_pool2d(shim::T(x), pair(output_size, "output size"))));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_linear(resnetgen_tensor x, resnetgen_tensor weight, resnetgen_tensor bias, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::linear(shim::T(x, "input"), shim::T(weight, "weight"), shim::opt(bias)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_dropout(resnetgen_tensor x, double p, int training, int inplace, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (p < 0 || p > 1) throw std::invalid_argument("dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  if (inplace) {
    at::dropout_(shim::T(x), p, training != 0);
    shim::put(out, shim::T(x));
  } else {
    shim::put(out, at::dropout(shim::T(x), p, training != 0));
  }
  RESNETGEN_END
}

// Constant padding; pad lists (left, right, top, bottom, ...) from the last dimension back.
RESNETGEN_API int resnetgen_pad(resnetgen_tensor x, const int64_t* pad, int count, double value, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::constant_pad_nd(shim::T(x), shim::dims(pad, count), value));
  RESNETGEN_END
}

// reduction: 0 none, 1 mean, 2 sum (at::Reduction's values).
RESNETGEN_API int resnetgen_cross_entropy(resnetgen_tensor input, resnetgen_tensor target, resnetgen_tensor weight, int reduction,
                                          int64_t ignore_index, double label_smoothing, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (reduction < 0 || reduction > 2) throw std::invalid_argument("unknown reduction " + std::to_string(reduction));
  shim::put(out, at::cross_entropy_loss(shim::T(input, "input"), shim::T(target, "target"), shim::opt(weight),
                                       reduction, ignore_index, label_smoothing));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_mse_loss(resnetgen_tensor input, resnetgen_tensor target, int reduction, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::mse_loss(shim::T(input, "input"), shim::T(target, "target"), reduction));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_softmax(resnetgen_tensor x, int64_t dim, int log, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, log ? at::log_softmax(shim::T(x), dim) : at::softmax(shim::T(x), dim));
  RESNETGEN_END
}

// In-place initialisers, run without recording gradients.
// Uniform: uniform_(a, b); Normal: normal_(mean=a, std=b); Fill: fill_(a); Bernoulli: bernoulli_(p=a).
RESNETGEN_API int resnetgen_init_(int kind, resnetgen_tensor x, double a, double b) {
  RESNETGEN_BEGIN
  at::NoGradGuard no_grad;
  auto& t = shim::T(x);
  switch (static_cast<InitOp>(kind)) {
    case InitOp::Uniform: t.uniform_(a, b); break;
    case InitOp::Normal: t.normal_(a, b); break;
    case InitOp::Fill: t.fill_(a); break;
    case InitOp::Bernoulli: t.bernoulli_(a); break;
    default: throw std::invalid_argument("unknown init kind " + std::to_string(kind));
  }
  RESNETGEN_END
}
