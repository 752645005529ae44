// Conventions of the shim's C ABI, shared by every source file.
//
// - Every entry point is `extern "C"`, returns int: 0 on success, -1 on failure.
// - On failure the message sits in a thread-local slot (resnetgen_last_error), without the C++
//   backtrace. No C++ exception ever crosses the ABI: RESNETGEN_END catches everything.
// - A tensor handle is a heap-allocated at::Tensor (a reference to a TensorImpl); the managed
//   side owns it and frees it exactly once with resnetgen_tensor_free.
// - Results come back through out-parameters.
#pragma once
#include "shim_pch.h"
#include <stdexcept>

#define RESNETGEN_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* resnetgen_tensor;

namespace shim {

void set_error(const char* message);

// The handle's tensor; a null handle is a bad argument, never a crash.
inline at::Tensor& T(resnetgen_tensor handle, const char* what = "tensor") {
  if (handle == nullptr) throw std::invalid_argument(std::string("null ") + what + " handle");
  return *handle;
}

// An optional tensor: null handle -> undefined tensor (c10::nullopt for optional args).
inline at::Tensor opt(resnetgen_tensor handle) { return handle ? *handle : at::Tensor(); }

// Hands a result to the managed side.
inline void put(resnetgen_tensor* out, at::Tensor value) {
  if (out == nullptr) throw std::invalid_argument("null output pointer");
  *out = new at::Tensor(std::move(value));
}

inline at::IntArrayRef dims(const int64_t* values, int count) {
  if (count < 0 || (count > 0 && values == nullptr)) throw std::invalid_argument("bad int array");
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

// device_type: 0 = cpu, 1 = cuda (index = ordinal, -1 = current).
at::Device device(int device_type, int device_index);
at::ScalarType dtype(int code);
at::MemoryFormat memory_format(int code);

}  // namespace shim

#define RESNETGEN_BEGIN try {
#define RESNETGEN_END                                                   \
  }                                                               \
  catch (const c10::Error& e) {                                   \
    shim::set_error(e.what_without_backtrace());                   \
    return -1;                                                    \
  }                                                               \
  catch (const std::exception& e) {                               \
    shim::set_error(e.what());                                     \
    return -1;                                                    \
  }                                                               \
  catch (...) {                                                   \
    shim::set_error("unknown native exception");                   \
    return -1;                                                    \
  }                                                               \
  return 0;
