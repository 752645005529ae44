// The state of libtorch's default random generators, so a checkpoint can resume exactly.
#include "shim_common.h"
#include <ATen/CPUGeneratorImpl.h>

namespace {
at::Generator generator(int device_type, int device_index) {
  if (device_type == 0) return at::detail::getDefaultCPUGenerator();
  if (device_type == 1) {
    if (!at::hasCUDA()) throw std::runtime_error("CUDA is not available");
    // Context::defaultGenerator(Device) exists in 1.13 and 2.x alike.
    return at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index < 0 ? 0 : device_index)));
  }
  throw std::invalid_argument("unknown device type " + std::to_string(device_type));
}
}  // namespace

// The generator's state as a uint8 CPU tensor (opaque bytes, as torch.get_rng_state()).
RESNETGEN_API int resnetgen_get_rng_state(int device_type, int device_index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto gen = generator(device_type, device_index);
  std::lock_guard<std::mutex> lock(gen.mutex());
  shim::put(out, at::Tensor(gen.get_state()));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_set_rng_state(int device_type, int device_index, resnetgen_tensor state) {
  RESNETGEN_BEGIN
  auto gen = generator(device_type, device_index);
  auto& s = shim::T(state, "state");
  if (s.scalar_type() != at::kByte || s.device().type() != at::kCPU)
    throw std::invalid_argument("RNG state must be a uint8 CPU tensor");
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(s);
  RESNETGEN_END
}
