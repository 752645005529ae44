// Fused optimizer steps: one call updates every parameter of a group.
//
// The single-tensor paths reproduce torch.optim 1.13's defaults (_single_tensor_sgd,
// _single_tensor_adamw) op for op, so the results are bit-identical on CPU. The foreach paths
// follow _multi_tensor_sgd/_multi_tensor_adamw (at::_foreach_* kernels: far fewer launches on
// CUDA; on the CPU they loop per tensor and give the same numbers).
//
// State (momentum buffers, exp_avg, exp_avg_sq, max_exp_avg_sq) lives in tensors the managed
// side owns. The caller passes one slot per parameter: a null slot is filled with a new handle
// (created on the parameter's device, like zeros_like/clone); a state tensor whose parameter has
// since moved to another device, dtype or memory format is converted in place (same handle).
// Parameters without a gradient are skipped and their state is left alone.
#include "shim_common.h"

namespace {

std::string shape_str(const at::Tensor& t) { return c10::str(t.sizes()); }

// The parameters that take part (have a grad), validated before anything is modified.
std::vector<int> with_grad(const resnetgen_tensor* params, int count) {
  if (count < 0 || (count > 0 && params == nullptr)) throw std::invalid_argument("bad parameter list");
  std::vector<int> active;
  active.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; i++) {
    const auto& p = shim::T(params[i], "parameter");
    const auto& g = p.grad();
    if (!g.defined()) continue;
    if (g.is_sparse())
      throw std::invalid_argument("parameter " + std::to_string(i) + " has a sparse gradient, which this optimizer does not support");
    if (g.sizes() != p.sizes())
      throw std::invalid_argument("parameter " + std::to_string(i) + ": gradient shape " + shape_str(g) +
                                  " does not match the parameter's shape " + shape_str(p));
    if (g.device() != p.device())
      throw std::invalid_argument("parameter " + std::to_string(i) + ": gradient is on " + g.device().str() +
                                  " but the parameter is on " + p.device().str());
    active.push_back(i);
  }
  return active;
}

// Follows the parameter: device, dtype and memory format (a moved/cast module keeps its state).
void follow(at::Tensor& state, const at::Tensor& p) {
  auto format = p.suggest_memory_format();
  if (state.device() != p.device() || state.scalar_type() != p.scalar_type() || !state.is_contiguous(format))
    state = state.to(p.device(), p.scalar_type(), /*non_blocking=*/false, /*copy=*/false, format);
}

// The state slot of parameter i: existing (converted to follow p) or null.
at::Tensor* slot(resnetgen_tensor* slots, int i, const at::Tensor& p) {
  if (slots == nullptr) throw std::invalid_argument("missing state slots");
  at::Tensor* s = slots[i];
  if (s != nullptr && s->defined()) follow(*s, p);
  return s;
}

at::Tensor& fresh(resnetgen_tensor* slots, int i, at::Tensor value) {
  if (slots[i] != nullptr) {
    *slots[i] = std::move(value);
  } else {
    slots[i] = new at::Tensor(std::move(value));
  }
  return *slots[i];
}

at::Tensor& zeros_state(resnetgen_tensor* slots, int i, const at::Tensor& p) {
  at::Tensor* s = slot(slots, i, p);
  if (s != nullptr && s->defined()) return *s;
  return fresh(slots, i, at::zeros_like(p, at::MemoryFormat::Preserve));
}

}  // namespace

// SGD over one parameter group (torch.optim.SGD, PyTorch 1.13).
// momentum_buffers: one slot per parameter (used and filled only when momentum != 0).
RESNETGEN_API int resnetgen_optim_sgd_step(const resnetgen_tensor* params, resnetgen_tensor* momentum_buffers, int count, double lr,
                                           double momentum, double dampening, double weight_decay, int nesterov,
                                           int maximize, int foreach) {
  RESNETGEN_BEGIN
  at::NoGradGuard no_grad;
  if (nesterov && (momentum <= 0 || dampening != 0))
    throw std::invalid_argument("Nesterov momentum requires a momentum and zero dampening");
  auto active = with_grad(params, count);
  if (active.empty()) return 0;

  if (!foreach) {
    for (int i : active) {
      at::Tensor& param = *params[i];
      at::Tensor d_p = maximize ? param.grad().neg() : param.grad();
      if (weight_decay != 0) d_p = d_p.add(param, weight_decay);
      if (momentum != 0) {
        at::Tensor* existing = slot(momentum_buffers, i, param);
        at::Tensor buf;
        if (existing == nullptr || !existing->defined()) {
          buf = fresh(momentum_buffers, i, at::clone(d_p).detach());
        } else {
          buf = *existing;
          buf.mul_(momentum).add_(d_p, 1 - dampening);
        }
        if (nesterov) d_p = d_p.add(buf, momentum);
        else d_p = buf;
      }
      param.add_(d_p, -lr);
    }
    return 0;
  }

  std::vector<at::Tensor> ps, grads;
  for (int i : active) {
    ps.push_back(*params[i]);
    grads.push_back(params[i]->grad());
  }
  if (maximize) grads = at::_foreach_neg(grads);
  if (weight_decay != 0) grads = at::_foreach_add(grads, ps, weight_decay);
  if (momentum != 0) {
    std::vector<at::Tensor> bufs;
    bool all_exist = true;
    for (size_t k = 0; k < active.size(); k++) {
      at::Tensor* s = slot(momentum_buffers, active[k], ps[k]);
      if (s == nullptr || !s->defined()) all_exist = false;
    }
    if (all_exist) {
      for (int i : active) bufs.push_back(*momentum_buffers[i]);
      at::_foreach_mul_(bufs, momentum);
      at::_foreach_add_(bufs, grads, 1 - dampening);
    } else {
      for (size_t k = 0; k < active.size(); k++) {
        int i = active[k];
        at::Tensor* s = momentum_buffers[i];
        if (s == nullptr || !s->defined()) {
          bufs.push_back(fresh(momentum_buffers, i, at::clone(grads[k]).detach()));
        } else {
          s->mul_(momentum).add_(grads[k], 1 - dampening);
          bufs.push_back(*s);
        }
      }
    }
    // Out of place (1.13 adds into the gradient list itself, which can alias p.grad).
    if (nesterov) grads = at::_foreach_add(grads, bufs, momentum);
    else grads = bufs;
  }
  at::_foreach_add_(ps, grads, -lr);
  RESNETGEN_END
}

// AdamW over one parameter group (torch.optim.AdamW, PyTorch 1.13, capturable=False).
// steps: per-parameter step counts, incremented here for parameters with a gradient.
// max_exp_avg_sqs: used and filled only when amsgrad.
RESNETGEN_API int resnetgen_optim_adamw_step(const resnetgen_tensor* params, resnetgen_tensor* exp_avgs, resnetgen_tensor* exp_avg_sqs,
                                             resnetgen_tensor* max_exp_avg_sqs, double* steps, int count, double lr, double beta1,
                                             double beta2, double eps, double weight_decay, int amsgrad, int maximize,
                                             int foreach) {
  RESNETGEN_BEGIN
  at::NoGradGuard no_grad;
  if (steps == nullptr && count > 0) throw std::invalid_argument("missing step counts");
  if (amsgrad && max_exp_avg_sqs == nullptr && count > 0) throw std::invalid_argument("amsgrad needs max_exp_avg_sq slots");
  auto active = with_grad(params, count);
  if (active.empty()) return 0;

  // State first (lazily, on the parameter's device), so a failure leaves no half-made state.
  for (int i : active) {
    const at::Tensor& p = *params[i];
    zeros_state(exp_avgs, i, p);
    zeros_state(exp_avg_sqs, i, p);
    if (amsgrad) zeros_state(max_exp_avg_sqs, i, p);
  }

  if (!foreach) {
    for (int i : active) {
      at::Tensor& param = *params[i];
      at::Tensor grad = maximize ? param.grad().neg() : param.grad();
      at::Tensor& exp_avg = *exp_avgs[i];
      at::Tensor& exp_avg_sq = *exp_avg_sqs[i];
      // torch keeps step as a float32 tensor; counts stay exact integers either way.
      steps[i] += 1;
      if (weight_decay != 0) param.mul_(1 - lr * weight_decay);
      exp_avg.mul_(beta1).add_(grad, 1 - beta1);
      exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      const double step = steps[i];
      const double bias_correction1 = 1 - std::pow(beta1, step);
      const double bias_correction2 = 1 - std::pow(beta2, step);
      const double step_size = lr / bias_correction1;
      const double bias_correction2_sqrt = std::sqrt(bias_correction2);
      at::Tensor denom;
      if (amsgrad) {
        at::Tensor& max_sq = *max_exp_avg_sqs[i];
        at::maximum_out(max_sq, max_sq, exp_avg_sq);
        denom = (max_sq.sqrt() / bias_correction2_sqrt).add_(eps);
      } else {
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps);
      }
      param.addcdiv_(exp_avg, denom, -step_size);
    }
    return 0;
  }

  std::vector<at::Tensor> ps, grads, m, v, vmax;
  std::vector<at::Scalar> step_size, bc2_sqrt;
  for (int i : active) {
    ps.push_back(*params[i]);
    grads.push_back(params[i]->grad());
    m.push_back(*exp_avgs[i]);
    v.push_back(*exp_avg_sqs[i]);
    if (amsgrad) vmax.push_back(*max_exp_avg_sqs[i]);
    steps[i] += 1;
    const double step = steps[i];
    step_size.emplace_back((lr / (1 - std::pow(beta1, step))) * -1);
    bc2_sqrt.emplace_back(std::sqrt(1 - std::pow(beta2, step)));
  }
  if (maximize) grads = at::_foreach_neg(grads);
  if (weight_decay != 0) at::_foreach_mul_(ps, 1 - lr * weight_decay);
  at::_foreach_mul_(m, beta1);
  at::_foreach_add_(m, grads, 1 - beta1);
  at::_foreach_mul_(v, beta2);
  at::_foreach_addcmul_(v, grads, grads, 1 - beta2);
  std::vector<at::Tensor> denom;
  if (amsgrad) {
    at::_foreach_maximum_(vmax, v);
    denom = at::_foreach_sqrt(vmax);
  } else {
    denom = at::_foreach_sqrt(v);
  }
  at::_foreach_div_(denom, bc2_sqrt);
  at::_foreach_add_(denom, eps);
  at::_foreach_addcdiv_(ps, m, denom, step_size);
  RESNETGEN_END
}
