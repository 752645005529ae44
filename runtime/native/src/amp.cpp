// Mixed precision: autocast regions and the grad scaler's unscale/inf-check, over libtorch's
// own autocast (1.13's set_enabled API; 2.4+'s per-device-type API).
#include "shim_common.h"
#include <ATen/autocast_mode.h>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define RESNETGEN_AUTOCAST_PER_DEVICE 1
#endif

namespace {
at::DeviceType autocast_device(int device_type) {
  switch (device_type) {
    case 0: return at::kCPU;
    case 1: return at::kCUDA;
    default: throw std::invalid_argument("autocast: unknown device type " + std::to_string(device_type));
  }
}

bool get_enabled(at::DeviceType d) {
#ifdef RESNETGEN_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(d);
#else
  return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

void set_enabled(at::DeviceType d, bool on) {
#ifdef RESNETGEN_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_enabled(d, on);
#else
  if (d == at::kCPU) at::autocast::set_cpu_enabled(on);
  else at::autocast::set_enabled(on);
#endif
}

at::ScalarType get_dtype(at::DeviceType d) {
#ifdef RESNETGEN_AUTOCAST_PER_DEVICE
  return at::autocast::get_autocast_dtype(d);
#else
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_dtype(at::DeviceType d, at::ScalarType t) {
#ifdef RESNETGEN_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_dtype(d, t);
#else
  if (d == at::kCPU) at::autocast::set_autocast_cpu_dtype(t);
  else at::autocast::set_autocast_gpu_dtype(t);
#endif
}
}  // namespace

// Enters an autocast region; the previous state comes back for resnetgen_autocast_exit.
RESNETGEN_API int resnetgen_autocast_enter(int device_type, int enabled, int dtype, int* prev_enabled, int* prev_dtype) {
  RESNETGEN_BEGIN
  auto d = autocast_device(device_type);
  auto t = shim::dtype(dtype);
  if (t != at::kHalf && t != at::kBFloat16)
    throw std::invalid_argument("autocast: dtype must be float16 or bfloat16");
  *prev_enabled = get_enabled(d) ? 1 : 0;
  *prev_dtype = static_cast<int>(get_dtype(d));
  set_enabled(d, enabled != 0);
  set_dtype(d, t);
  at::autocast::increment_nesting();
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_autocast_exit(int device_type, int prev_enabled, int prev_dtype) {
  RESNETGEN_BEGIN
  auto d = autocast_device(device_type);
  // Leaving the outermost region drops the cached casts of the weights.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(d, prev_enabled != 0);
  set_dtype(d, shim::dtype(prev_dtype));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_autocast_is_enabled(int device_type, int* out) {
  RESNETGEN_BEGIN
  *out = get_enabled(autocast_device(device_type)) ? 1 : 0;
  RESNETGEN_END
}

// The grad scaler's unscale step in one call: multiplies every gradient by inv_scale in place
// and reports whether any of them holds an inf or NaN (then the optimizer step is skipped).
RESNETGEN_API int resnetgen_amp_unscale_(const resnetgen_tensor* params, int count, double inv_scale, int* found_inf) {
  RESNETGEN_BEGIN
  at::NoGradGuard no_grad;
  at::Tensor any_bad;
  for (int i = 0; i < count; i++) {
    auto& g = shim::T(params[i], "parameter").mutable_grad();
    if (!g.defined()) continue;
    auto bad = at::logical_not(at::isfinite(g)).any();
    any_bad = any_bad.defined() ? at::logical_or(any_bad, bad) : bad;
    g.mul_(inv_scale);
  }
  // One synchronisation per step, after all the work is queued.
  *found_inf = any_bad.defined() && any_bad.item<bool>() ? 1 : 0;
  RESNETGEN_END
}
