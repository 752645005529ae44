// The thread-local error slot, enum decoding, and queries about the engine itself.
#include "shim_common.h"

namespace {
thread_local std::string last_error;
}

void shim::set_error(const char* message) { last_error = message ? message : "(no message)"; }

at::Device shim::device(int device_type, int device_index) {
  switch (device_type) {
    case 0: return at::Device(at::kCPU);
    case 1: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index));
    default: throw std::invalid_argument("unknown device type " + std::to_string(device_type));
  }
}

at::ScalarType shim::dtype(int code) {
  // Codes are c10::ScalarType's own values, as TorchSharp uses them.
  switch (static_cast<at::ScalarType>(code)) {
    case at::kByte: case at::kChar: case at::kShort: case at::kInt: case at::kLong:
    case at::kHalf: case at::kFloat: case at::kDouble: case at::kBool: case at::kBFloat16:
      return static_cast<at::ScalarType>(code);
    default: throw std::invalid_argument("unsupported dtype code " + std::to_string(code));
  }
}

at::MemoryFormat shim::memory_format(int code) {
  switch (code) {
    case 0: return at::MemoryFormat::Contiguous;
    case 1: return at::MemoryFormat::ChannelsLast;
    case 2: return at::MemoryFormat::Preserve;
    default: throw std::invalid_argument("unknown memory format " + std::to_string(code));
  }
}

RESNETGEN_API const char* resnetgen_last_error() { return last_error.c_str(); }

RESNETGEN_API int resnetgen_version(const char** out) {
  RESNETGEN_BEGIN
  static const std::string version = TORCH_VERSION;
  *out = version.c_str();
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_cuda_is_available(int* out) {
  RESNETGEN_BEGIN
  *out = at::hasCUDA() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_cuda_device_count(int* out) {
  RESNETGEN_BEGIN
  if (!at::hasCUDA()) {
    *out = 0;
  } else {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    *out = static_cast<int>(at::detail::getCUDAHooks().deviceCount());  // renamed in 2.4
#else
    *out = static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
#endif
  }
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_get_num_threads(int* out) {
  RESNETGEN_BEGIN
  *out = at::get_num_threads();
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_set_num_threads(int n) {
  RESNETGEN_BEGIN
  if (n < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(n));
  at::set_num_threads(n);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_set_cudnn_benchmark(int enabled) {
  RESNETGEN_BEGIN
  at::globalContext().setBenchmarkCuDNN(enabled != 0);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_get_cudnn_benchmark(int* out) {
  RESNETGEN_BEGIN
  *out = at::globalContext().benchmarkCuDNN() ? 1 : 0;
  RESNETGEN_END
}

// cuDNN's deterministic algorithms only (bit-identical reruns, e.g. a resume check) and whether
// its convolutions may use TF32 (libtorch's default: yes; off for float32-exact comparisons).
RESNETGEN_API int resnetgen_set_cudnn_deterministic(int enabled) {
  RESNETGEN_BEGIN
  at::globalContext().setDeterministicCuDNN(enabled != 0);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_get_cudnn_deterministic(int* out) {
  RESNETGEN_BEGIN
  *out = at::globalContext().deterministicCuDNN() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_set_cudnn_allow_tf32(int enabled) {
  RESNETGEN_BEGIN
  at::globalContext().setAllowTF32CuDNN(enabled != 0);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_get_cudnn_allow_tf32(int* out) {
  RESNETGEN_BEGIN
  *out = at::globalContext().allowTF32CuDNN() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_manual_seed(uint64_t seed) {
  RESNETGEN_BEGIN
  at::manual_seed(seed);
  RESNETGEN_END
}

// Fails on purpose with a non-std exception: lets tests prove catch (...) holds.
RESNETGEN_API int resnetgen_test_throw_unknown() {
  RESNETGEN_BEGIN
  throw 42;
  RESNETGEN_END
}
