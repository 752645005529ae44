// Autograd: requires_grad, grad, backward, grad mode.
#include "shim_common.h"

RESNETGEN_API int resnetgen_tensor_requires_grad(resnetgen_tensor t, int* out) {
  RESNETGEN_BEGIN
  *out = shim::T(t).requires_grad() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_set_requires_grad(resnetgen_tensor t, int value) {
  RESNETGEN_BEGIN
  shim::T(t).requires_grad_(value != 0);
  RESNETGEN_END
}

// out = null when the tensor has no gradient.
RESNETGEN_API int resnetgen_tensor_grad(resnetgen_tensor t, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto g = shim::T(t).grad();
  *out = g.defined() ? new at::Tensor(g) : nullptr;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_set_grad(resnetgen_tensor t, resnetgen_tensor grad) {
  RESNETGEN_BEGIN
  shim::T(t).mutable_grad() = shim::opt(grad);
  RESNETGEN_END
}

// Zeroes gradients of many tensors at once; set_to_none drops them as PyTorch 2.x does.
RESNETGEN_API int resnetgen_zero_grad(const resnetgen_tensor* tensors, int count, int set_to_none) {
  RESNETGEN_BEGIN
  for (int i = 0; i < count; i++) {
    auto& g = shim::T(tensors[i]).mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g = at::Tensor();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
  }
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_backward(resnetgen_tensor t, resnetgen_tensor grad, int retain_graph) {
  RESNETGEN_BEGIN
  auto& x = shim::T(t);
  if (!x.requires_grad())
    throw std::invalid_argument("backward: tensor does not require grad and has no grad_fn");
  torch::autograd::backward({x}, {shim::opt(grad)}, retain_graph != 0 ? c10::optional<bool>(true)
                                                                     : c10::nullopt);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_grad_enabled(int* out) {
  RESNETGEN_BEGIN
  *out = c10::GradMode::is_enabled() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_set_grad_enabled(int enabled) {
  RESNETGEN_BEGIN
  c10::GradMode::set_enabled(enabled != 0);
  RESNETGEN_END
}
