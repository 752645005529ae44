// Elementwise ops, selected by op code to keep the C ABI small. The codes are mirrored in
// runtime/Torch/Native/OpCodes.cs; keep the two lists in the same order.
#include "shim_common.h"
#include <cmath>

namespace {

enum Unary { NEG, RELU, SIGMOID, TANH, EXP, LOG, SQRT, RSQRT, ABS, SQUARE, FLOOR, LOGICAL_NOT, ZERO };

at::Tensor unary(int op, const at::Tensor& x) {
  switch (op) {
    case NEG: return at::neg(x);
    case RELU: return at::relu(x);
    case SIGMOID: return at::sigmoid(x);
    case TANH: return at::tanh(x);
    case EXP: return at::exp(x);
    case LOG: return at::log(x);
    case SQRT: return at::sqrt(x);
    case RSQRT: return at::rsqrt(x);
    case ABS: return at::abs(x);
    case SQUARE: return at::square(x);
    case FLOOR: return at::floor(x);
    case LOGICAL_NOT: return at::logical_not(x);
    case ZERO: return at::zeros_like(x);
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

void unary_(int op, at::Tensor& x) {
  switch (op) {
    case NEG: x.neg_(); return;
    case RELU: x.relu_(); return;
    case SIGMOID: x.sigmoid_(); return;
    case TANH: x.tanh_(); return;
    case EXP: x.exp_(); return;
    case LOG: x.log_(); return;
    case SQRT: x.sqrt_(); return;
    case RSQRT: x.rsqrt_(); return;
    case ABS: x.abs_(); return;
    case SQUARE: x.square_(); return;
    case FLOOR: x.floor_(); return;
    case LOGICAL_NOT: x.logical_not_(); return;
    case ZERO: x.zero_(); return;
    default: throw std::invalid_argument("unknown in-place unary op " + std::to_string(op));
  }
}

// A double from the managed side as the Scalar PyTorch would make: integral for integer
// tensors when the value is whole (so `long_tensor += 1` stays an integer op).
at::Scalar scalar_for(const at::Tensor& t, double value) {
  if (at::isIntegralType(t.scalar_type(), /*includeBool=*/false) && std::floor(value) == value)
    return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE, REMAINDER };

// `b` is a tensor or a scalar; alpha scales `b` for add/sub (PyTorch's alpha argument).
template <typename B>
at::Tensor binary(int op, const at::Tensor& a, const B& b, double alpha_value) {
  auto alpha = scalar_for(a, alpha_value);
  switch (op) {
    case ADD: return at::add(a, b, alpha);
    case SUB: return at::sub(a, b, alpha);
    case MUL: return at::mul(a, b);
    case DIV: return at::div(a, b);
    case POW: return at::pow(a, b);
    case EQ: return at::eq(a, b);
    case NE: return at::ne(a, b);
    case LT: return at::lt(a, b);
    case LE: return at::le(a, b);
    case GT: return at::gt(a, b);
    case GE: return at::ge(a, b);
    case REMAINDER: return at::remainder(a, b);
    default: break;
  }
  if constexpr (std::is_same_v<B, at::Tensor>) {
    if (op == MAXIMUM) return at::maximum(a, b);
    if (op == MINIMUM) return at::minimum(a, b);
  } else {
    if (op == MAXIMUM) return at::clamp_min(a, b);
    if (op == MINIMUM) return at::clamp_max(a, b);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

template <typename B>
void binary_(int op, at::Tensor& a, const B& b, double alpha_value) {
  auto alpha = scalar_for(a, alpha_value);
  switch (op) {
    case ADD: a.add_(b, alpha); return;
    case SUB: a.sub_(b, alpha); return;
    case MUL: a.mul_(b); return;
    case DIV: a.div_(b); return;
    case POW: a.pow_(b); return;
    default: throw std::invalid_argument("no in-place form of binary op " + std::to_string(op));
  }
}


}  // namespace

RNG_API int rng_unary(int op, rng_tensor x, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, unary(op, rng::T(x)));
  RNG_END
}

RNG_API int rng_unary_(int op, rng_tensor x) {
  RNG_BEGIN
  unary_(op, rng::T(x));
  RNG_END
}

RNG_API int rng_binary(int op, rng_tensor a, rng_tensor b, double alpha, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, binary(op, rng::T(a, "left operand"), rng::T(b, "right operand"), alpha));
  RNG_END
}

RNG_API int rng_binary_(int op, rng_tensor a, rng_tensor b, double alpha) {
  RNG_BEGIN
  binary_(op, rng::T(a, "left operand"), rng::T(b, "right operand"), alpha);
  RNG_END
}

RNG_API int rng_binary_scalar(int op, rng_tensor a, double b, double alpha, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, binary(op, rng::T(a), scalar_for(rng::T(a), b), alpha));
  RNG_END
}

RNG_API int rng_binary_scalar_(int op, rng_tensor a, double b, double alpha) {
  RNG_BEGIN
  binary_(op, rng::T(a), scalar_for(rng::T(a), b), alpha);
  RNG_END
}

// Scalar on the left: b - a, b / a, b ** a.
RNG_API int rng_scalar_binary(int op, double a, rng_tensor b, rng_tensor* out) {
  RNG_BEGIN
  auto& t = rng::T(b);
  switch (op) {
    case SUB: rng::put(out, at::rsub(t, a)); break;
    case DIV: rng::put(out, at::reciprocal(t).mul_(a)); break;
    case POW: rng::put(out, at::pow(at::Scalar(a), t)); break;
    default: throw std::invalid_argument("unsupported scalar-left op " + std::to_string(op));
  }
  RNG_END
}

RNG_API int rng_clamp(rng_tensor x, double min, int has_min, double max, int has_max, rng_tensor* out) {
  RNG_BEGIN
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  rng::put(out, at::clamp(rng::T(x), lo, hi));
  RNG_END
}

RNG_API int rng_where(rng_tensor condition, rng_tensor a, rng_tensor b, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::where(rng::T(condition, "condition"), rng::T(a), rng::T(b)));
  RNG_END
}
