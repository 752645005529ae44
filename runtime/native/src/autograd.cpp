// Autograd: requires_grad, grad, backward, grad mode.
#include "shim_common.h"

RNG_API int rng_tensor_requires_grad(rng_tensor t, int* out) {
  RNG_BEGIN
  *out = rng::T(t).requires_grad() ? 1 : 0;
  RNG_END
}

RNG_API int rng_tensor_set_requires_grad(rng_tensor t, int value) {
  RNG_BEGIN
  rng::T(t).requires_grad_(value != 0);
  RNG_END
}

// out = null when the tensor has no gradient.
RNG_API int rng_tensor_grad(rng_tensor t, rng_tensor* out) {
  RNG_BEGIN
  auto g = rng::T(t).grad();
  *out = g.defined() ? new at::Tensor(g) : nullptr;
  RNG_END
}

RNG_API int rng_tensor_set_grad(rng_tensor t, rng_tensor grad) {
  RNG_BEGIN
  rng::T(t).mutable_grad() = rng::opt(grad);
  RNG_END
}

// Zeroes gradients of many tensors at once; set_to_none drops them as PyTorch 2.x does.
RNG_API int rng_zero_grad(const rng_tensor* tensors, int count, int set_to_none) {
  RNG_BEGIN
  for (int i = 0; i < count; i++) {
    auto& g = rng::T(tensors[i]).mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g = at::Tensor();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
  }
  RNG_END
}

RNG_API int rng_tensor_backward(rng_tensor t, rng_tensor grad, int retain_graph) {
  RNG_BEGIN
  auto& x = rng::T(t);
  if (!x.requires_grad())
    throw std::invalid_argument("backward: tensor does not require grad and has no grad_fn");
  torch::autograd::backward({x}, {rng::opt(grad)}, retain_graph != 0 ? c10::optional<bool>(true)
                                                                     : c10::nullopt);
  RNG_END
}

RNG_API int rng_grad_enabled(int* out) {
  RNG_BEGIN
  *out = c10::GradMode::is_enabled() ? 1 : 0;
  RNG_END
}

RNG_API int rng_set_grad_enabled(int enabled) {
  RNG_BEGIN
  c10::GradMode::set_enabled(enabled != 0);
  RNG_END
}
