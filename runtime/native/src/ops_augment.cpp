// Batched data-pipeline ops: gathering a batch out of an in-memory dataset (optionally into
// pinned memory) and image augmentations that take per-sample parameters drawn on the managed
// side (so the randomness is deterministic, testable and independent of libtorch's generator).
//
// Every op works on any device: the per-sample parameters travel as small host arrays and are
// copied to the batch's device; the work itself is a handful of batched tensor ops.
#include "shim_common.h"

namespace {

void check_images(const at::Tensor& x, const char* op) {
  if (x.dim() != 4)
    throw std::invalid_argument(std::string(op) + ": expected a batch of images [N, C, H, W], got shape " +
                                c10::str(x.sizes()));
}

void check_count(const at::Tensor& x, int64_t n, const char* op) {
  if (n != x.size(0))
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(n) + " per-sample parameters for a batch of " +
                                std::to_string(x.size(0)));
}

// A [rows, cols] int64 tensor on `device` holding a copy of host memory.
at::Tensor host_longs(const int64_t* values, int64_t rows, int64_t cols, const at::Device& device, const char* what) {
  if (rows > 0 && values == nullptr) throw std::invalid_argument(std::string("null ") + what);
  auto host = at::from_blob(const_cast<int64_t*>(values), {rows, cols}, at::TensorOptions().dtype(at::kLong));
  return host.to(device, at::kLong, /*non_blocking=*/false, /*copy=*/true);
}

// flags bit 0: use the generic tensor-op path even on CPU (lets the tests check it here).
constexpr int kForceGeneric = 1;

bool use_cpu_kernel(const at::Tensor& x, int flags) { return x.device().is_cpu() && !(flags & kForceGeneric); }

// CPU crop+flip: one pass, rows copied with memcpy (or reversed), padding written directly.
at::Tensor crop_flip_cpu(const at::Tensor& input, int64_t pad, double fill, int64_t out_h, int64_t out_w,
                         const std::vector<int64_t>& offsets, const std::vector<int64_t>& flips) {
  auto x = input.contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  auto out = at::empty({N, C, out_h, out_w}, x.options());
  AT_DISPATCH_ALL_TYPES_AND3(at::kHalf, at::kBFloat16, at::kBool, x.scalar_type(), "crop_flip_cpu", [&] {
    const scalar_t value = at::Scalar(fill).to<scalar_t>();
    const scalar_t* src = x.data_ptr<scalar_t>();
    scalar_t* dst = out.data_ptr<scalar_t>();
    at::parallel_for(0, N * C, 16, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t n = plane / C;
        const int64_t top = offsets[2 * n] - pad, left = offsets[2 * n + 1] - pad;
        const bool flip = flips[n] != 0;
        const scalar_t* in = src + plane * H * W;
        scalar_t* o = dst + plane * out_h * out_w;
        // Columns j of the (unflipped) crop read input column left + j; the valid ones are [j0, j1).
        const int64_t j0 = std::max<int64_t>(0, -left), j1 = std::min<int64_t>(out_w, W - left);
        for (int64_t i = 0; i < out_h; ++i, o += out_w) {
          const int64_t row = top + i;
          if (row < 0 || row >= H || j0 >= j1) {
            std::fill(o, o + out_w, value);
            continue;
          }
          const scalar_t* r = in + row * W + left;
          if (!flip) {
            std::fill(o, o + j0, value);
            std::copy(r + j0, r + j1, o + j0);
            std::fill(o + j1, o + out_w, value);
          } else {
            // out column k shows crop column out_w - 1 - k.
            std::fill(o, o + (out_w - j1), value);
            for (int64_t j = j0; j < j1; ++j) o[out_w - 1 - j] = r[j];
            std::fill(o + (out_w - j0), o + out_w, value);
          }
        }
      }
    });
  });
  return out;
}

// CPU erase: fills each box, every channel.
void erase_cpu_(at::Tensor& x, const int64_t* boxes, double fill) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  AT_DISPATCH_ALL_TYPES_AND3(at::kHalf, at::kBFloat16, at::kBool, x.scalar_type(), "erase_cpu", [&] {
    const scalar_t value = at::Scalar(fill).to<scalar_t>();
    scalar_t* data = x.data_ptr<scalar_t>();
    at::parallel_for(0, N * C, 16, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t* b = boxes + 4 * (plane / C);
        if (b[2] == 0 || b[3] == 0) continue;
        scalar_t* p = data + plane * H * W;
        for (int64_t i = b[0]; i < b[0] + b[2]; ++i) std::fill(p + i * W + b[1], p + i * W + b[1] + b[3], value);
      }
    });
  });
}

}  // namespace

// out = src[indices] along dim 0, written into pinned (page-locked) host memory when `pin` is
// set, so a later non_blocking copy to CUDA is truly asynchronous.
RESNETGEN_API int resnetgen_aug_gather(resnetgen_tensor src, const int64_t* indices, int64_t n, int pin, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& s = shim::T(src, "source");
  if (s.dim() < 1) throw std::invalid_argument("gather: the source must have at least one dimension");
  if (n < 0 || (n > 0 && indices == nullptr)) throw std::invalid_argument("gather: bad index array");
  const int64_t size = s.size(0);
  for (int64_t i = 0; i < n; ++i) {
    if (indices[i] < 0 || indices[i] >= size)
      throw std::out_of_range("gather: index " + std::to_string(indices[i]) + " is out of range for " +
                              std::to_string(size) + " samples");
  }
  auto idx = host_longs(indices, n, 1, s.device(), "indices").view({n});
  auto shape = s.sizes().vec();
  shape[0] = n;
  auto options = s.options();
  if (pin && s.device().is_cpu()) options = options.pinned_memory(true);
  auto result = at::empty(shape, options);
  at::index_select_out(result, s.contiguous(), 0, idx);
  shim::put(out, result);
  RESNETGEN_END
}

// Random-crop-with-padding and horizontal flip with given per-sample parameters, as torchvision's
// RandomCrop(size, padding=pad, fill=fill) followed by RandomHorizontalFlip:
//   padded = constant_pad(x, pad, fill); crop = padded[n, :, top:top+out_h, left:left+out_w];
//   out[n] = flips[n] ? crop.flip(-1) : crop
// offsets: n × (top, left), 0 <= top <= H + 2 pad - out_h (null: no crop, all offsets 0, pad 0).
// flips: n bytes, nonzero = flip (null: no flip). Any dtype, any device (CPU: a direct kernel;
// elsewhere: pad + gather). flags: see kForceGeneric.
RESNETGEN_API int resnetgen_aug_crop_flip(resnetgen_tensor x, int64_t pad, double fill, int64_t out_h, int64_t out_w,
                                          const int64_t* offsets, const uint8_t* flips, int64_t n, int flags, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& input = shim::T(x, "images");
  check_images(input, "crop_flip");
  check_count(input, n, "crop_flip");
  if (pad < 0) throw std::invalid_argument("crop_flip: negative padding " + std::to_string(pad));
  const int64_t N = input.size(0), C = input.size(1);
  const int64_t Hp = input.size(2) + 2 * pad, Wp = input.size(3) + 2 * pad;
  if (offsets == nullptr) {
    if (pad != 0 || out_h != input.size(2) || out_w != input.size(3))
      throw std::invalid_argument("crop_flip: padding or a crop size needs offsets");
  }
  if (out_h < 1 || out_w < 1 || out_h > Hp || out_w > Wp)
    throw std::invalid_argument("crop_flip: crop size (" + std::to_string(out_h) + ", " + std::to_string(out_w) +
                                ") does not fit the padded image (" + std::to_string(Hp) + ", " + std::to_string(Wp) + ")");
  std::vector<int64_t> host_offsets(static_cast<size_t>(2 * N), 0);
  if (offsets != nullptr) {
    for (int64_t i = 0; i < N; ++i) {
      const int64_t top = offsets[2 * i], left = offsets[2 * i + 1];
      if (top < 0 || top > Hp - out_h || left < 0 || left > Wp - out_w)
        throw std::out_of_range("crop_flip: sample " + std::to_string(i) + " has crop offset (" + std::to_string(top) +
                                ", " + std::to_string(left) + ") outside [0, " + std::to_string(Hp - out_h) + "] x [0, " +
                                std::to_string(Wp - out_w) + "]");
      host_offsets[2 * i] = top;
      host_offsets[2 * i + 1] = left;
    }
  }
  std::vector<int64_t> host_flips(static_cast<size_t>(N), 0);
  if (flips != nullptr)
    for (int64_t i = 0; i < N; ++i) host_flips[i] = flips[i] ? 1 : 0;
  if (use_cpu_kernel(input, flags)) {
    shim::put(out, crop_flip_cpu(input, pad, fill, out_h, out_w, host_offsets, host_flips));
    return 0;
  }

  const auto dev = input.device();
  const auto longs = at::TensorOptions().dtype(at::kLong).device(dev);
  auto padded = pad > 0 ? at::constant_pad_nd(input, {pad, pad, pad, pad}, fill) : input;
  auto off = host_longs(host_offsets.data(), N, 2, dev, "offsets");
  auto flip = host_longs(host_flips.data(), N, 1, dev, "flips").to(at::kBool);      // [N, 1]
  auto rows = at::arange(out_h, longs).unsqueeze(0) + off.select(1, 0).unsqueeze(1);  // [N, out_h]
  auto cols_fwd = at::arange(out_w, longs).unsqueeze(0);                              // [1, out_w]
  auto cols_rev = at::arange(out_w - 1, -1, -1, longs).unsqueeze(0);
  auto cols = at::where(flip, cols_rev, cols_fwd) + off.select(1, 1).unsqueeze(1);    // [N, out_w]
  auto flat = (rows.unsqueeze(2) * Wp + cols.unsqueeze(1)).view({N, 1, out_h * out_w});
  auto gathered = at::gather(padded.reshape({N, C, Hp * Wp}), 2, flat.expand({N, C, out_h * out_w}));
  shim::put(out, gathered.view({N, C, out_h, out_w}));
  RESNETGEN_END
}

// Random erasing with given boxes, as torchvision.transforms.functional.erase with a constant:
//   out[n, :, top:top+h, left:left+w] = value   (h or w == 0: sample left as it is)
// boxes: n × (top, left, h, w). inplace: write into x and return it. flags: see kForceGeneric.
RESNETGEN_API int resnetgen_aug_erase(resnetgen_tensor x, const int64_t* boxes, int64_t n, double value, int inplace, int flags,
                                      resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& input = shim::T(x, "images");
  check_images(input, "erase");
  check_count(input, n, "erase");
  const int64_t N = input.size(0), H = input.size(2), W = input.size(3);
  if (N > 0 && boxes == nullptr) throw std::invalid_argument("erase: null boxes");
  for (int64_t i = 0; i < N; ++i) {
    const int64_t* b = boxes + 4 * i;
    if (b[2] < 0 || b[3] < 0 || b[0] < 0 || b[1] < 0 || b[0] + b[2] > H || b[1] + b[3] > W)
      throw std::out_of_range("erase: sample " + std::to_string(i) + " has box (top " + std::to_string(b[0]) + ", left " +
                              std::to_string(b[1]) + ", h " + std::to_string(b[2]) + ", w " + std::to_string(b[3]) +
                              ") outside the " + std::to_string(H) + "x" + std::to_string(W) + " image");
  }
  if (use_cpu_kernel(input, flags) && (!inplace || input.is_contiguous())) {
    auto result = inplace ? input : input.clone(at::MemoryFormat::Contiguous);
    erase_cpu_(result, boxes, value);
    shim::put(out, result);
    return 0;
  }
  const auto dev = input.device();
  const auto longs = at::TensorOptions().dtype(at::kLong).device(dev);
  auto box = host_longs(boxes, N, 4, dev, "boxes");
  auto top = box.select(1, 0).unsqueeze(1), left = box.select(1, 1).unsqueeze(1);
  auto bottom = top + box.select(1, 2).unsqueeze(1), right = left + box.select(1, 3).unsqueeze(1);
  auto r = at::arange(H, longs).unsqueeze(0), c = at::arange(W, longs).unsqueeze(0);
  auto in_rows = r.ge(top).logical_and_(r.lt(bottom));   // [N, H]
  auto in_cols = c.ge(left).logical_and_(c.lt(right));   // [N, W]
  auto mask = in_rows.view({N, 1, H, 1}).logical_and(in_cols.view({N, 1, 1, W}));  // [N, 1, H, W]
  if (inplace) {
    input.masked_fill_(mask, value);
    shim::put(out, input);
  } else {
    shim::put(out, input.masked_fill(mask, value));
  }
  RESNETGEN_END
}

// out = (x / divisor - mean[c]) / std[c] in `dtype` (a floating type; -1 = float32), for a batch
// [N, C, H, W] of any dtype: uint8 images in [0, 255] with divisor 255 give torchvision's
// ToTensor() + Normalize(mean, std) in one call. mean/std null: out = x / divisor (exactly ToTensor).
RESNETGEN_API int resnetgen_aug_normalize(resnetgen_tensor x, const double* mean, const double* std, int64_t channels, double divisor,
                                          int dtype, resnetgen_tensor* out) {
  RESNETGEN_BEGIN
  auto& input = shim::T(x, "images");
  check_images(input, "normalize");
  const auto type = dtype < 0 ? at::kFloat : shim::dtype(dtype);
  if (!at::isFloatingType(type)) throw std::invalid_argument("normalize: the output dtype must be a floating type");
  if ((mean == nullptr) != (std == nullptr)) throw std::invalid_argument("normalize: give both mean and std, or neither");
  if (!(divisor != 0.0)) throw std::invalid_argument("normalize: the divisor is zero");
  auto result = input.to(type, /*non_blocking=*/false, /*copy=*/true);  // never alias the input
  if (mean == nullptr) {
    if (divisor != 1.0) result.div_(divisor);
    shim::put(out, result);
  } else {
    const int64_t C = input.size(1);
    if (channels != C && channels != 1)
      throw std::invalid_argument("normalize: " + std::to_string(channels) + " means/stds for images with " +
                                  std::to_string(C) + " channels");
    // (x / d - m) / s = x * (1 / (d s)) + (-m / s): one multiply and one add per element.
    std::vector<double> a(static_cast<size_t>(channels)), b(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      if (!(std[c] != 0.0)) throw std::invalid_argument("normalize: std of channel " + std::to_string(c) + " is zero");
      a[c] = 1.0 / (divisor * std[c]);
      b[c] = -mean[c] / std[c];
    }
    auto host = at::TensorOptions().dtype(at::kDouble);
    auto av = at::from_blob(a.data(), {1, channels, 1, 1}, host).to(input.device(), type, false, true);
    auto bv = at::from_blob(b.data(), {1, channels, 1, 1}, host).to(input.device(), type, false, true);
    result.mul_(av).add_(bv);
    shim::put(out, result);
  }
  RESNETGEN_END
}
