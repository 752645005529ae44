// Tensor lifecycle, creation from and copy to managed memory, queries and conversions.
#include "shim_common.h"
#include <cstring>

RNG_API int rng_tensor_free(rng_tensor t) {
  RNG_BEGIN
  delete t;
  RNG_END
}

static at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(rng::dtype(dtype)).device(rng::device(device_type, device_index));
}

// Copies `nbytes` of managed memory into a new tensor of the given shape and dtype.
RNG_API int rng_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim,
                                 int dtype, int device_type, int device_index, int requires_grad,
                                 rng_tensor* out) {
  RNG_BEGIN
  auto cpu = at::empty(rng::dims(shape, ndim), options(dtype, 0, 0));
  const int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  if (nbytes != expected)
    throw std::invalid_argument("data has " + std::to_string(nbytes) + " bytes but shape " +
                                c10::str(cpu.sizes()) + " needs " + std::to_string(expected));
  if (expected > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(expected));
  auto result = device_type == 0 ? cpu : cpu.to(rng::device(device_type, device_index));
  if (requires_grad) result.requires_grad_(true);
  rng::put(out, result);
  RNG_END
}

// Copies the tensor's elements (row-major, as the shape reads) into managed memory.
RNG_API int rng_tensor_copy_to(rng_tensor t, void* data, int64_t nbytes) {
  RNG_BEGIN
  auto cpu = rng::T(t).detach().to(at::kCPU).contiguous();
  const int64_t size = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  if (nbytes != size)
    throw std::invalid_argument("destination has " + std::to_string(nbytes) + " bytes, tensor has " +
                                std::to_string(size));
  if (size > 0) std::memcpy(data, cpu.data_ptr(), static_cast<size_t>(size));
  RNG_END
}

// kind: 0 empty, 1 zeros, 2 ones, 3 full(value), 4 rand, 5 randn
RNG_API int rng_tensor_new(int kind, const int64_t* shape, int ndim, double value, int dtype,
                           int device_type, int device_index, int requires_grad, rng_tensor* out) {
  RNG_BEGIN
  auto size = rng::dims(shape, ndim);
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
  rng::put(out, r);
  RNG_END
}

RNG_API int rng_tensor_arange(double start, double end, double step, int dtype, int device_type,
                              int device_index, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::arange(start, end, step, options(dtype, device_type, device_index)));
  RNG_END
}

RNG_API int rng_tensor_randint(int64_t low, int64_t high, const int64_t* shape, int ndim,
                               int device_type, int device_index, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::randint(low, high, rng::dims(shape, ndim), options(4, device_type, device_index)));
  RNG_END
}

RNG_API int rng_tensor_randperm(int64_t n, int device_type, int device_index, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::randperm(n, options(4, device_type, device_index)));
  RNG_END
}

RNG_API int rng_tensor_ndim(rng_tensor t, int* out) {
  RNG_BEGIN
  *out = static_cast<int>(rng::T(t).dim());
  RNG_END
}

// Writes up to `capacity` sizes; `ndim` gets the true rank.
RNG_API int rng_tensor_shape(rng_tensor t, int64_t* sizes, int capacity, int* ndim) {
  RNG_BEGIN
  auto s = rng::T(t).sizes();
  *ndim = static_cast<int>(s.size());
  for (int i = 0; i < capacity && i < static_cast<int>(s.size()); i++) sizes[i] = s[i];
  RNG_END
}

RNG_API int rng_tensor_strides(rng_tensor t, int64_t* strides, int capacity, int* ndim) {
  RNG_BEGIN
  auto s = rng::T(t).strides();
  *ndim = static_cast<int>(s.size());
  for (int i = 0; i < capacity && i < static_cast<int>(s.size()); i++) strides[i] = s[i];
  RNG_END
}

RNG_API int rng_tensor_numel(rng_tensor t, int64_t* out) {
  RNG_BEGIN
  *out = rng::T(t).numel();
  RNG_END
}

RNG_API int rng_tensor_dtype(rng_tensor t, int* out) {
  RNG_BEGIN
  *out = static_cast<int>(rng::T(t).scalar_type());
  RNG_END
}

RNG_API int rng_tensor_device(rng_tensor t, int* device_type, int* device_index) {
  RNG_BEGIN
  auto d = rng::T(t).device();
  if (d.is_cpu()) *device_type = 0;
  else if (d.is_cuda()) *device_type = 1;
  else throw std::runtime_error("unsupported device " + d.str());
  *device_index = d.has_index() ? d.index() : -1;
  RNG_END
}

RNG_API int rng_tensor_is_contiguous(rng_tensor t, int memory_format, int* out) {
  RNG_BEGIN
  *out = rng::T(t).is_contiguous(rng::memory_format(memory_format)) ? 1 : 0;
  RNG_END
}

RNG_API int rng_tensor_contiguous(rng_tensor t, int memory_format, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(t).contiguous(rng::memory_format(memory_format)));
  RNG_END
}

// Converts device and/or dtype (dtype -1 keeps it, device_type -1 keeps it) and memory format.
RNG_API int rng_tensor_to(rng_tensor t, int device_type, int device_index, int dtype,
                          int memory_format, int non_blocking, rng_tensor* out) {
  RNG_BEGIN
  auto& x = rng::T(t);
  auto dev = device_type < 0 ? x.device() : rng::device(device_type, device_index);
  auto st = dtype < 0 ? x.scalar_type() : rng::dtype(dtype);
  rng::put(out, x.to(dev, st, non_blocking != 0, false, rng::memory_format(memory_format)));
  RNG_END
}

RNG_API int rng_tensor_pin_memory(rng_tensor t, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(t).pin_memory());
  RNG_END
}

RNG_API int rng_tensor_item(rng_tensor t, double* out) {
  RNG_BEGIN
  *out = rng::T(t).item<double>();
  RNG_END
}

RNG_API int rng_tensor_clone(rng_tensor t, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(t).clone());
  RNG_END
}

RNG_API int rng_tensor_detach(rng_tensor t, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(t).detach());
  RNG_END
}

// A second handle to the same tensor (shares storage and autograd identity).
RNG_API int rng_tensor_alias(rng_tensor t, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(t));
  RNG_END
}

// Replaces the data of `t` with that of `source` keeping `t`'s identity (PyTorch's
// `param.data = ...`): how Module.to moves parameters in place.
RNG_API int rng_tensor_set_data(rng_tensor t, rng_tensor source) {
  RNG_BEGIN
  rng::T(t).set_data(rng::T(source, "source"));
  RNG_END
}

RNG_API int rng_tensor_copy_(rng_tensor t, rng_tensor source, int non_blocking) {
  RNG_BEGIN
  rng::T(t).copy_(rng::T(source, "source"), non_blocking != 0);
  RNG_END
}

RNG_API int rng_tensor_data_ptr(rng_tensor t, void** out) {
  RNG_BEGIN
  *out = rng::T(t).data_ptr();
  RNG_END
}

// A printable summary from libtorch itself (values included), for debugging.
RNG_API int rng_tensor_to_string(rng_tensor t, char* buffer, int capacity, int* length) {
  RNG_BEGIN
  std::ostringstream s;
  s << rng::T(t);
  auto text = s.str();
  *length = static_cast<int>(text.size());
  if (buffer && capacity > 0) {
    auto n = std::min<size_t>(text.size(), static_cast<size_t>(capacity - 1));
    std::memcpy(buffer, text.data(), n);
    buffer[n] = 0;
  }
  RNG_END
}
