// Shape ops (view, reshape, permute, slice, cat, ...), indexing, and reductions.
#include "shim_common.h"
#include "op_codes.h"

RESNETGEN_API int resnetgen_view(resnetgen_tensor x, const int64_t* shape, int ndim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).view(shim::dims(shape, ndim)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_reshape(resnetgen_tensor x, const int64_t* shape, int ndim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).reshape(shim::dims(shape, ndim)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_permute(resnetgen_tensor x, const int64_t* dims, int ndim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).permute(shim::dims(dims, ndim)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_flatten(resnetgen_tensor x, int64_t start_dim, int64_t end_dim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).flatten(start_dim, end_dim));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_transpose(resnetgen_tensor x, int64_t dim0, int64_t dim1, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).transpose(dim0, dim1));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_unsqueeze(resnetgen_tensor x, int64_t dim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).unsqueeze(dim));
  RESNETGEN_END
}

// dim = INT64_MIN squeezes every size-1 dimension.
RESNETGEN_API int resnetgen_squeeze(resnetgen_tensor x, int64_t dim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, dim == INT64_MIN ? shim::T(x).squeeze() : shim::T(x).squeeze(dim));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_expand(resnetgen_tensor x, const int64_t* shape, int ndim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).expand(shim::dims(shape, ndim)));
  RESNETGEN_END
}

// Python's x[..., start:end:step, ...] along one dimension.
RESNETGEN_API int resnetgen_slice(resnetgen_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).slice(dim, start, end, step));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_select(resnetgen_tensor x, int64_t dim, int64_t index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).select(dim, index));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_index_select(resnetgen_tensor x, int64_t dim, resnetgen_tensor index, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::index_select(shim::T(x), dim, shim::T(index, "index")));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_cat(const resnetgen_tensor* tensors, int count, int64_t dim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (count <= 0) throw std::invalid_argument("cat: expected a non-empty list of tensors");
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int i = 0; i < count; i++) list.push_back(shim::T(tensors[i]));
  shim::put(out, at::cat(list, dim));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_stack(const resnetgen_tensor* tensors, int count, int64_t dim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  if (count <= 0) throw std::invalid_argument("stack: expected a non-empty list of tensors");
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int i = 0; i < count; i++) list.push_back(shim::T(tensors[i]));
  shim::put(out, at::stack(list, dim));
  RESNETGEN_END
}

// Reductions. ndim = 0 reduces over everything. dtype -1 keeps PyTorch's default result type.
RESNETGEN_API int resnetgen_reduce(int kind, resnetgen_tensor x, const int64_t* dims, int ndim, int keepdim, int dtype,
                                   resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& t = shim::T(x);
  auto d = shim::dims(dims, ndim);
  c10::optional<at::ScalarType> st = dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>(shim::dtype(dtype));
  at::Tensor r;
  switch (static_cast<ReduceOp>(kind)) {
    case ReduceOp::Sum: r = ndim == 0 && !keepdim ? at::sum(t, st) : at::sum(t, d, keepdim != 0, st); break;
    case ReduceOp::Mean: r = ndim == 0 && !keepdim ? at::mean(t, st) : at::mean(t, d, keepdim != 0, st); break;
    case ReduceOp::Amax: r = at::amax(t, d, keepdim != 0); break;
    case ReduceOp::Amin: r = at::amin(t, d, keepdim != 0); break;
    default: throw std::invalid_argument("unknown reduction " + std::to_string(kind));
  }
  shim::put(out, r);
  RESNETGEN_END
}

// has_dim = 0: argmax over the flattened tensor.
RESNETGEN_API int resnetgen_argmax(resnetgen_tensor x, int64_t dim, int has_dim, int keepdim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  shim::put(out, at::argmax(shim::T(x), d, keepdim != 0));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_topk(resnetgen_tensor x, int64_t k, int64_t dim, int largest, int sorted, resnetgen_tensor* values,
                                 resnetgen_tensor* indices) {
  RESNETGEN_BEGIN
  auto r = at::topk(shim::T(x), k, dim, largest != 0, sorted != 0);
  shim::put(values, std::get<0>(r));
  shim::put(indices, std::get<1>(r));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_all_finite(resnetgen_tensor x, int* out) {
  RESNETGEN_BEGIN
  *out = at::isfinite(shim::T(x)).all().item<bool>() ? 1 : 0;
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_masked_fill(resnetgen_tensor x, resnetgen_tensor mask, double value, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, shim::T(x).masked_fill(shim::T(mask, "mask"), value));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_flip(resnetgen_tensor x, const int64_t* dims, int ndim, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::flip(shim::T(x), shim::dims(dims, ndim)));
  RESNETGEN_END
}

RESNETGEN_API int resnetgen_one_hot(resnetgen_tensor x, int64_t num_classes, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  shim::put(out, at::one_hot(shim::T(x), num_classes));
  RESNETGEN_END
}
