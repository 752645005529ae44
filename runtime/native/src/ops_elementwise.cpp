// Elementwise ops, selected by op code to keep the C ABI small. The codes (UnaryOp, BinaryOp)
// are generated from runtime/Torch/Native/OpCodes.cs (op_codes.h).
#include "shim_common.h"
#include "op_codes.h"
#include <cmath>

namespace {

at::Tensor unary(int op, const at::Tensor& x) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Neg: return at::neg(x);
    case UnaryOp::Relu: return at::relu(x);
    case UnaryOp::Sigmoid: return at::sigmoid(x);
    case UnaryOp::Tanh: return at::tanh(x);
    case UnaryOp::Exp: return at::exp(x);
    case UnaryOp::Log: return at::log(x);
    case UnaryOp::Sqrt: return at::sqrt(x);
    case UnaryOp::Rsqrt: return at::rsqrt(x);
    case UnaryOp::Abs: return at::abs(x);
    case UnaryOp::Square: return at::square(x);
    case UnaryOp::Floor: return at::floor(x);
    case UnaryOp::LogicalNot: return at::logical_not(x);
    case UnaryOp::Zero: return at::zeros_like(x);
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

void unary_(int op, at::Tensor& x) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Neg: x.neg_(); return;
    case UnaryOp::Relu: x.relu_(); return;
    case UnaryOp::Sigmoid: x.sigmoid_(); return;
    case UnaryOp::Tanh: x.tanh_(); return;
    case UnaryOp::Exp: x.exp_(); return;
    case UnaryOp::Log: x.log_(); return;
    case UnaryOp::Sqrt: x.sqrt_(); return;
    case UnaryOp::Rsqrt: x.rsqrt_(); return;
    case UnaryOp::Abs: x.abs_(); return;
    case UnaryOp::Square: x.square_(); return;
    case UnaryOp::Floor: x.floor_(); return;
    case UnaryOp::LogicalNot: x.logical_not_(); return;
    case UnaryOp::Zero: x.zero_(); return;
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

// `b` is a tensor or a scalar; alpha scales `b` for add/sub (PyTorch's alpha argument).
template <typename B>
at::Tensor binary(int op, const at::Tensor& a, const B& b, double alpha_value) {
  auto alpha = scalar_for(a, alpha_value);
  const auto code = static_cast<BinaryOp>(op);
  switch (code) {
    case BinaryOp::Add: return at::add(a, b, alpha);
    case BinaryOp::Sub: return at::sub(a, b, alpha);
    case BinaryOp::Mul: return at::mul(a, b);
    case BinaryOp::Div: return at::div(a, b);
    case BinaryOp::Pow: return at::pow(a, b);
    case BinaryOp::Eq: return at::eq(a, b);
    case BinaryOp::Ne: return at::ne(a, b);
    case BinaryOp::Lt: return at::lt(a, b);
    case BinaryOp::Le: return at::le(a, b);
    case BinaryOp::Gt: return at::gt(a, b);
    case BinaryOp::Ge: return at::ge(a, b);
    case BinaryOp::Remainder: return at::remainder(a, b);
    default: break;
  }
  if constexpr (std::is_same_v<B, at::Tensor>) {
    if (code == BinaryOp::Maximum) return at::maximum(a, b);
    if (code == BinaryOp::Minimum) return at::minimum(a, b);
  } else {
    if (code == BinaryOp::Maximum) return at::clamp_min(a, b);
    if (code == BinaryOp::Minimum) return at::clamp_max(a, b);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}

template <typename B>
void binary_(int op, at::Tensor& a, const B& b, double alpha_value) {
  auto alpha = scalar_for(a, alpha_value);
  const auto code = static_cast<BinaryOp>(op);
  switch (code) {
    case BinaryOp::Add: a.add_(b, alpha); return;
    case BinaryOp::Sub: a.sub_(b, alpha); return;
    case BinaryOp::Mul: a.mul_(b); return;
    case BinaryOp::Div: a.div_(b); return;
    case BinaryOp::Pow: a.pow_(b); return;
    default: throw std::invalid_argument("no in-place form of binary op " + std::to_string(op));
  }
}


}  // namespace

RESNETGEN_API int resnetgen_unary(int op, resnetgen_tensor x, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, unary(op, shim::T(x)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_unary_(int op, resnetgen_tensor x) {
  RESNETGEN_BEGIN
  unary_(op, shim::T(x));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_binary(int op, resnetgen_tensor a, resnetgen_tensor b, double alpha, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, binary(op, shim::T(a, "left operand"), shim::T(b, "right operand"), alpha));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_binary_(int op, resnetgen_tensor a, resnetgen_tensor b, double alpha) {
  RESNETGEN_BEGIN
  binary_(op, shim::T(a, "left operand"), shim::T(b, "right operand"), alpha);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_binary_scalar(int op, resnetgen_tensor a, double b, double alpha, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, binary(op, shim::T(a), scalar_for(shim::T(a), b), alpha));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_binary_scalar_(int op, resnetgen_tensor a, double b, double alpha) {
  RESNETGEN_BEGIN
  binary_(op, shim::T(a), scalar_for(shim::T(a), b), alpha);
  RESNETGEN_END
}

// Scalar on the left: b - a, b / a, b ** a.
RESNETGEN_API int resnetgen_scalar_binary(int op, double a, resnetgen_tensor b, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& t = shim::T(b);
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::Sub: shim::put(out, at::rsub(t, a)); break;
    case BinaryOp::Div: shim::put(out, at::reciprocal(t).mul_(a)); break;
    case BinaryOp::Pow: shim::put(out, at::pow(at::Scalar(a), t)); break;
    default: throw std::invalid_argument("unsupported scalar-left op " + std::to_string(op));
  }
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_clamp(resnetgen_tensor x, double min, int has_min, double max, int has_max, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  shim::put(out, at::clamp(shim::T(x), lo, hi));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_where(resnetgen_tensor condition, resnetgen_tensor a, resnetgen_tensor b, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::where(shim::T(condition, "condition"), shim::T(a), shim::T(b)));
  RESNETGEN_END
}
