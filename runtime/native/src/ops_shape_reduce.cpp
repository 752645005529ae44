// Shape ops (view, reshape, permute, slice, cat, ...), indexing, and reductions.
#include "shim_common.h"

RNG_API int rng_view(rng_tensor x, const int64_t* shape, int ndim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).view(rng::dims(shape, ndim)));
  RNG_END
}

RNG_API int rng_reshape(rng_tensor x, const int64_t* shape, int ndim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).reshape(rng::dims(shape, ndim)));
  RNG_END
}

RNG_API int rng_permute(rng_tensor x, const int64_t* dims, int ndim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).permute(rng::dims(dims, ndim)));
  RNG_END
}

RNG_API int rng_flatten(rng_tensor x, int64_t start_dim, int64_t end_dim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).flatten(start_dim, end_dim));
  RNG_END
}

RNG_API int rng_transpose(rng_tensor x, int64_t dim0, int64_t dim1, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).transpose(dim0, dim1));
  RNG_END
}

RNG_API int rng_unsqueeze(rng_tensor x, int64_t dim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).unsqueeze(dim));
  RNG_END
}

// dim = INT64_MIN squeezes every size-1 dimension.
RNG_API int rng_squeeze(rng_tensor x, int64_t dim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, dim == INT64_MIN ? rng::T(x).squeeze() : rng::T(x).squeeze(dim));
  RNG_END
}

RNG_API int rng_expand(rng_tensor x, const int64_t* shape, int ndim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).expand(rng::dims(shape, ndim)));
  RNG_END
}

// Python's x[..., start:end:step, ...] along one dimension.
RNG_API int rng_slice(rng_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).slice(dim, start, end, step));
  RNG_END
}

RNG_API int rng_select(rng_tensor x, int64_t dim, int64_t index, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).select(dim, index));
  RNG_END
}

RNG_API int rng_index_select(rng_tensor x, int64_t dim, rng_tensor index, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::index_select(rng::T(x), dim, rng::T(index, "index")));
  RNG_END
}

RNG_API int rng_cat(const rng_tensor* tensors, int count, int64_t dim, rng_tensor* out) {
  RNG_BEGIN
  if (count <= 0) throw std::invalid_argument("cat: expected a non-empty list of tensors");
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int i = 0; i < count; i++) list.push_back(rng::T(tensors[i]));
  rng::put(out, at::cat(list, dim));
  RNG_END
}

RNG_API int rng_stack(const rng_tensor* tensors, int count, int64_t dim, rng_tensor* out) {
  RNG_BEGIN
  if (count <= 0) throw std::invalid_argument("stack: expected a non-empty list of tensors");
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int i = 0; i < count; i++) list.push_back(rng::T(tensors[i]));
  rng::put(out, at::stack(list, dim));
  RNG_END
}

// Reductions. ndim = 0 reduces over everything. dtype -1 keeps PyTorch's default result type.
// kind: 0 sum, 1 mean, 2 amax, 3 amin
RNG_API int rng_reduce(int kind, rng_tensor x, const int64_t* dims, int ndim, int keepdim, int dtype,
                       rng_tensor* out) {
  RNG_BEGIN
  auto& t = rng::T(x);
  auto d = rng::dims(dims, ndim);
  c10::optional<at::ScalarType> st = dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(rng::dtype(dtype));
  at::Tensor r;
  switch (kind) {
    case 0: r = ndim == 0 && !keepdim ? at::sum(t, st) : at::sum(t, d, keepdim != 0, st); break;
    case 1: r = ndim == 0 && !keepdim ? at::mean(t, st) : at::mean(t, d, keepdim != 0, st); break;
    case 2: r = at::amax(t, d, keepdim != 0); break;
    case 3: r = at::amin(t, d, keepdim != 0); break;
    default: throw std::invalid_argument("unknown reduction " + std::to_string(kind));
  }
  rng::put(out, r);
  RNG_END
}

// has_dim = 0: argmax over the flattened tensor.
RNG_API int rng_argmax(rng_tensor x, int64_t dim, int has_dim, int keepdim, rng_tensor* out) {
  RNG_BEGIN
  c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  rng::put(out, at::argmax(rng::T(x), d, keepdim != 0));
  RNG_END
}

RNG_API int rng_topk(rng_tensor x, int64_t k, int64_t dim, int largest, int sorted, rng_tensor* values,
                     rng_tensor* indices) {
  RNG_BEGIN
  auto r = at::topk(rng::T(x), k, dim, largest != 0, sorted != 0);
  rng::put(values, std::get<0>(r));
  rng::put(indices, std::get<1>(r));
  RNG_END
}

RNG_API int rng_all_finite(rng_tensor x, int* out) {
  RNG_BEGIN
  *out = at::isfinite(rng::T(x)).all().item<bool>() ? 1 : 0;
  RNG_END
}

RNG_API int rng_masked_fill(rng_tensor x, rng_tensor mask, double value, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, rng::T(x).masked_fill(rng::T(mask, "mask"), value));
  RNG_END
}

RNG_API int rng_flip(rng_tensor x, const int64_t* dims, int ndim, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::flip(rng::T(x), rng::dims(dims, ndim)));
  RNG_END
}

RNG_API int rng_one_hot(rng_tensor x, int64_t num_classes, rng_tensor* out) {
  RNG_BEGIN
  rng::put(out, at::one_hot(rng::T(x), num_classes));
  RNG_END
}
