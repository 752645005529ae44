// Tensor lifecycle, creation from and copy to managed memory, queries and conversions.
#include "shim_common.h"
#include <cstring>

RESNETGEN_API int resnetgen_tensor_free(resnetgen_tensor t) {
  RESNETGEN_BEGIN
  delete t;
  RESNETGEN_END
}

static at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(shim::dtype(dtype)).device(shim::device(device_type, device_index));
}

// Copies `nbytes` of managed memory into a new tensor of the given shape and dtype.
RESNETGEN_API int resnetgen_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim,
                                             int dtype, int device_type, int device_index, int requires_grad,
                                             resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto cpu = at::empty(shim::dims(shape, ndim), options(dtype, 0, 0));
  const int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  if (nbytes != expected)
    throw std::invalid_argument("data has " + std::to_string(nbytes) + " bytes but shape " +
                                c10::str(cpu.sizes()) + " needs " + std::to_string(expected));
  if (expected > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(expected));
  auto result = device_type == 0 ? cpu : cpu.to(shim::device(device_type, device_index));
  if (requires_grad) result.requires_grad_(true);
  shim::put(out, result);
  RESNETGEN_END
}

// Copies the tensor's elements (row-major, as the shape reads) into managed memory.
RESNETGEN_API int resnetgen_tensor_copy_to(resnetgen_tensor t, void* data, int64_t nbytes) {
  RESNETGEN_BEGIN
  auto cpu = shim::T(t).detach().to(at::kCPU).contiguous();
  const int64_t size = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  if (nbytes != size)
    throw std::invalid_argument("destination has " + std::to_string(nbytes) + " bytes, tensor has " +
                                std::to_string(size));
  if (size > 0) std::memcpy(data, cpu.data_ptr(), static_cast<size_t>(size));
  RESNETGEN_END
}

// kind: 0 empty, 1 zeros, 2 ones, 3 full(value), 4 rand, 5 randn
RESNETGEN_API int resnetgen_tensor_new(int kind, const int64_t* shape, int ndim, double value, int dtype,
                                       int device_type, int device_index, int requires_grad, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto size = shim::dims(shape, ndim);
  auto opts = options(dtype, device_type, device_index);
  at::Tensor r;
  switch (kind) {
    case 0: r = at::empty(size, opts); break;
    case 1: r = at::zeros(size, opts); break;
    case 2: r = at::ones(size, opts); break;
    case 3: r = at::full(size, value, opts); break;
    case 4: r = at::rand(size, opts); break;
    case 5: r = at::randn(size, opts); break;
    default: throw std::invalid_argument("unknown factory kind " + std::to_string(kind));
  }
  if (requires_grad) r.requires_grad_(true);
  shim::put(out, r);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_arange(double start, double end, double step, int dtype, int device_type,
                                          int device_index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::arange(start, end, step, options(dtype, device_type, device_index)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int ndim,
                                           int device_type, int device_index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::randint(low, high, shim::dims(shape, ndim), options(4, device_type, device_index)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_randperm(int64_t n, int device_type, int device_index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::randperm(n, options(4, device_type, device_index)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_ndim(resnetgen_tensor t, int* out) {
  RESNETGEN_BEGIN
  *out = static_cast<int>(shim::T(t).dim());
  RESNETGEN_END
}

// Writes up to `capacity` sizes; `ndim` gets the true rank.
RESNETGEN_API int resnetgen_tensor_shape(resnetgen_tensor t, int64_t* sizes, int capacity, int* ndim) {
  RESNETGEN_BEGIN
  auto s = shim::T(t).sizes();
  *ndim = static_cast<int>(s.size());
  for (int i = 0; i < capacity && i < static_cast<int>(s.size()); i++) sizes[i] = s[i];
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_strides(resnetgen_tensor t, int64_t* strides, int capacity, int* ndim) {
  RESNETGEN_BEGIN
  auto s = shim::T(t).strides();
  *ndim = static_cast<int>(s.size());
  for (int i = 0; i < capacity && i < static_cast<int>(s.size()); i++) strides[i] = s[i];
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_numel(resnetgen_tensor t, int64_t* out) {
  RESNETGEN_BEGIN
  *out = shim::T(t).numel();
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_dtype(resnetgen_tensor t, int* out) {
  RESNETGEN_BEGIN
  *out = static_cast<int>(shim::T(t).scalar_type());
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_device(resnetgen_tensor t, int* device_type, int* device_index) {
  RESNETGEN_BEGIN
  auto d = shim::T(t).device();
  if (d.is_cpu()) *device_type = 0;
  else if (d.is_cuda()) *device_type = 1;
  else throw std::runtime_error("unsupported device " + d.str());
  *device_index = d.has_index() ? d.index() : -1;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_is_contiguous(resnetgen_tensor t, int memory_format, int* out) {
  RESNETGEN_BEGIN
  *out = shim::T(t).is_contiguous(shim::memory_format(memory_format)) ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_contiguous(resnetgen_tensor t, int memory_format, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(t).contiguous(shim::memory_format(memory_format)));
  RESNETGEN_END
}

// Converts device and/or dtype (dtype -1 keeps it, device_type -1 keeps it) and memory format.
RESNETGEN_API int resnetgen_tensor_to(resnetgen_tensor t, int device_type, int device_index, int dtype,
                                      int memory_format, int non_blocking, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& x = shim::T(t);
  auto dev = device_type < 0 ? x.device() : shim::device(device_type, device_index);
  auto st = dtype < 0 ? x.scalar_type() : shim::dtype(dtype);
  shim::put(out, x.to(dev, st, non_blocking != 0, false, shim::memory_format(memory_format)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_pin_memory(resnetgen_tensor t, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(t).pin_memory());
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_item(resnetgen_tensor t, double* out) {
  RESNETGEN_BEGIN
  *out = shim::T(t).item<double>();
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_clone(resnetgen_tensor t, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(t).clone());
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_detach(resnetgen_tensor t, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(t).detach());
  RESNETGEN_END
}

// A second handle to the same tensor (shares storage and autograd identity).
RESNETGEN_API int resnetgen_tensor_alias(resnetgen_tensor t, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(t));
  RESNETGEN_END
}

// Replaces the data of `t` with that of `source` keeping `t`'s identity (PyTorch's
// `param.data = ...`): how Module.to moves parameters in place.
RESNETGEN_API int resnetgen_tensor_set_data(resnetgen_tensor t, resnetgen_tensor source) {
  RESNETGEN_BEGIN
  shim::T(t).set_data(shim::T(source, "source"));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_copy_(resnetgen_tensor t, resnetgen_tensor source, int non_blocking) {
  RESNETGEN_BEGIN
  shim::T(t).copy_(shim::T(source, "source"), non_blocking != 0);
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_tensor_data_ptr(resnetgen_tensor t, void** out) {
  RESNETGEN_BEGIN
  *out = shim::T(t).data_ptr();
  RESNETGEN_END
}

// A printable summary from libtorch itself (values included), for debugging.
RESNETGEN_API int resnetgen_tensor_to_string(resnetgen_tensor t, char* buffer, int capacity, int* length) {
  RESNETGEN_BEGIN
  std::ostringstream s;
  s << shim::T(t);
  auto text = s.str();
  *length = static_cast<int>(text.size());
  if (buffer && capacity > 0) {
    auto n = std::min<size_t>(text.size(), static_cast<size_t>(capacity - 1));
    std::memcpy(buffer, text.data(), n);
    buffer[n] = 0;
  }
  RESNETGEN_END
}
